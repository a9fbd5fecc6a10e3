package io.datastorage.auth.kubernetes;

import io.datastorage.core.access.AccessReviewUnavailableException;
import io.datastorage.core.access.Action;
import io.datastorage.core.access.Decision;
import io.datastorage.core.access.Subject;
import io.datastorage.core.audit.AuditKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

import static io.datastorage.auth.kubernetes.ApiServerMock.ACCESS_REVIEWS;
import static io.datastorage.auth.kubernetes.ApiServerMock.allowed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SubjectAccessReviewPolicy} against the fabric8 Kubernetes mock server in expectations mode:
 * no real API server can be installed where these tests run, so the mock answers each
 * SubjectAccessReview as a test expects and counts the requests. Cache time is a {@link FakeTime}
 * the tests advance; nothing sleeps.
 */
class SubjectAccessReviewPolicyTest {
    private static final Subject GATEWAY = new Subject("system:serviceaccount:kubernaut:gateway",
            Set.of("system:serviceaccounts", "system:authenticated"));
    private static final Action WRITE_REMEDIATION = Action.write(AuditKind.REMEDIATION);

    private final FakeTime time = new FakeTime();
    private final ApiServerMock api = new ApiServerMock(Duration.ofSeconds(5));
    private final SubjectAccessReviewPolicy policy =
            new SubjectAccessReviewPolicy(api.client(), ReviewSettings.of("datastorage"), time);

    @AfterEach
    void stop() {
        api.close();
    }

    private void expect(boolean allowed) {
        api.server.expect().post().withPath(ACCESS_REVIEWS).andReturn(201, allowed(allowed)).once();
    }

    @Test
    void eachActionIsReviewedAsItsVerbOnAudits() throws Exception {
        record Case(Action action, String verb, String subresource) {}
        var cases = new Case[]{
                new Case(WRITE_REMEDIATION, "create", "remediation"),
                new Case(Action.READ, "get", null),
                new Case(Action.SEARCH, "list", null),
                new Case(Action.ADMIN, "create", "admin")};
        for (Case c : cases) {
            expect(true);

            assertThat(policy.decide(GATEWAY, c.action()).allowed()).isTrue();

            String body = api.server.takeRequest().getUtf8Body();
            assertThat(body).contains("\"group\":\"datastorage.io\"", "\"resource\":\"audits\"",
                    "\"verb\":\"" + c.verb() + "\"", "\"user\":\"system:serviceaccount:kubernaut:gateway\"",
                    "\"groups\":[\"system:authenticated\",\"system:serviceaccounts\"]");
            if (c.subresource() == null) {
                assertThat(body).doesNotContain("subresource");
            } else {
                assertThat(body).contains("\"subresource\":\"" + c.subresource() + "\"");
            }
        }
    }

    @Test
    void noKindIsNamedLikeTheAdminSubresource() {
        // Write of a kind is reviewed on audits/<kind>, admin on audits/admin: a kind named "admin"
        // would make one grant mean both.
        assertThat(Arrays.stream(AuditKind.values()).map(AuditKind::pathName))
                .doesNotContain(SubjectAccessReviewPolicy.ADMIN_SUBRESOURCE);
    }

    @Test
    void aDenialIsServedForAtMostTwoSecondsThenAGrantTakesEffect() {
        expect(false);
        expect(true); // access granted meanwhile

        Decision first = policy.decide(GATEWAY, WRITE_REMEDIATION);
        assertThat(first.allowed()).isFalse();
        assertThat(first.reason()).contains("create on audits/remediation");
        time.advance(Duration.ofMillis(1999));
        assertThat(policy.decide(GATEWAY, WRITE_REMEDIATION).allowed()).isFalse();
        assertThat(api.requests()).isEqualTo(1);

        time.advance(Duration.ofMillis(1));
        assertThat(policy.decide(GATEWAY, WRITE_REMEDIATION).allowed()).isTrue();
        assertThat(api.requests()).isEqualTo(2);
    }

    @Test
    void anAllowIsServedForAtMostSixtySecondsAfterRevocation() {
        expect(true);
        expect(false); // access revoked meanwhile

        assertThat(policy.decide(GATEWAY, Action.SEARCH).allowed()).isTrue();
        time.advance(Duration.ofSeconds(59));
        assertThat(policy.decide(GATEWAY, Action.SEARCH).allowed()).isTrue();
        assertThat(api.requests()).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        assertThat(policy.decide(GATEWAY, Action.SEARCH).allowed()).isFalse();
        assertThat(api.requests()).isEqualTo(2);
    }

    @Test
    void decisionsAreKeptPerSubjectAndAction() {
        expect(true);
        expect(false);
        expect(false);

        assertThat(policy.decide(GATEWAY, Action.READ).allowed()).isTrue();
        assertThat(policy.decide(GATEWAY, Action.ADMIN).allowed()).isFalse();
        assertThat(policy.decide(new Subject("system:serviceaccount:other:reader", Set.of()), Action.READ).allowed())
                .isFalse();
        assertThat(api.requests()).isEqualTo(3);
    }

    @Test
    void anApiServerErrorIsUnavailableNeverADenialAndIsNotCached() {
        api.server.expect().post().withPath(ACCESS_REVIEWS).andReturn(500, "internal error").once();
        expect(true);

        assertThatThrownBy(() -> policy.decide(GATEWAY, Action.READ))
                .isInstanceOf(AccessReviewUnavailableException.class)
                .hasMessageContaining("SubjectAccessReview");
        assertThat(policy.decide(GATEWAY, Action.READ).allowed()).isTrue();
        assertThat(api.requests()).isEqualTo(2);
    }
}
