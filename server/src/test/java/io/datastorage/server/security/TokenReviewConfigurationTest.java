package io.datastorage.server.security;

import io.datastorage.auth.kubernetes.InvalidTokenException;
import io.datastorage.auth.kubernetes.ReviewedToken;
import io.datastorage.auth.kubernetes.SubjectAccessReviewPolicy;
import io.datastorage.core.access.AccessPolicy;
import io.datastorage.core.access.AccessReviewUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OAuth2IntrospectionException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The tokenreview wiring: which beans exist in which mode, how settings are checked, and how the
 * introspector turns the reviewer's answers into Spring Security's (401 for an invalid token, a
 * non-"bad" introspection failure, hence 503, when the API server could not answer). The reviews
 * themselves are tested against the fabric8 mock API server in the auth-kubernetes module.
 */
class TokenReviewConfigurationTest {
    private static final String SA = "system:serviceaccount:kubernaut:gateway";
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(TokenReviewConfiguration.class)
            // An address nothing listens on: building the client connects nowhere.
            .withPropertyValues("datastorage.auth.kubernetes.api-url=https://127.0.0.1:1");

    @Test
    void tokenreviewModeProvidesTheIntrospectorAndTheSubjectAccessReviewPolicy() {
        runner.withPropertyValues("datastorage.auth.mode=tokenreview").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(OpaqueTokenIntrospector.class);
            assertThat(context.getBean(AccessPolicy.class)).isInstanceOf(SubjectAccessReviewPolicy.class);
            assertThat(context.getBean(KubernetesClient.class).getConfiguration().getMasterUrl())
                    .startsWith("https://127.0.0.1:1");
            assertThat(context.getBean(KubernetesClient.class).getConfiguration().getRequestTimeout()).isEqualTo(5000);
        });
    }

    @Test
    void otherModesHaveNeitherBean() {
        for (String mode : List.of("none", "jwt")) {
            runner.withPropertyValues("datastorage.auth.mode=" + mode).run(context -> {
                assertThat(context).doesNotHaveBean(OpaqueTokenIntrospector.class);
                assertThat(context).doesNotHaveBean(AccessPolicy.class);
                assertThat(context).doesNotHaveBean(KubernetesClient.class);
            });
        }
        runner.run(context -> assertThat(context).doesNotHaveBean(OpaqueTokenIntrospector.class));
    }

    @Test
    void aBadApiUrlStopsStartUpNamingTheProperty() {
        runner.withPropertyValues("datastorage.auth.mode=tokenreview", "datastorage.auth.kubernetes.api-url=kubernetes:443")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessage("datastorage.auth.kubernetes.api-url must be an https:// (or http://) URL, was 'kubernetes:443'"));
    }

    @Test
    void aBadTimeoutStopsStartUpNamingTheProperty() {
        runner.withPropertyValues("datastorage.auth.mode=tokenreview", "datastorage.auth.kubernetes.timeout=0s")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessage("datastorage.auth.kubernetes.timeout must be 100ms..5m, was 0s"));
    }

    @Test
    void aBlankAudienceStopsStartUpNamingTheProperty() {
        runner.withPropertyValues("datastorage.auth.mode=tokenreview", "datastorage.auth.audience= ")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessage("datastorage.auth.audience must be set, was empty"));
    }

    @Test
    void anAuthenticatedTokenBecomesAPrincipalNamedBySubjectWithItsGroups() {
        Instant exp = Instant.parse("2026-11-30T13:00:00Z");
        var introspector = new TokenReviewConfiguration.TokenReviewIntrospector(
                token -> new ReviewedToken(SA, List.of("system:serviceaccounts", "system:authenticated"), Optional.of(exp)));

        OAuth2AuthenticatedPrincipal principal = introspector.introspect("t");

        assertThat(principal.getName()).isEqualTo(SA);
        assertThat(principal.<List<String>>getAttribute("groups"))
                .containsExactly("system:serviceaccounts", "system:authenticated");
        assertThat(principal.<Instant>getAttribute("exp")).isEqualTo(exp);
    }

    @Test
    void anInvalidTokenIsABadOpaqueToken() {
        var introspector = new TokenReviewConfiguration.TokenReviewIntrospector(token -> {
            throw new InvalidTokenException("the bearer token was not issued for the audience 'datastorage'");
        });

        assertThatThrownBy(() -> introspector.introspect("t"))
                .isInstanceOf(BadOpaqueTokenException.class)
                .hasMessage("the bearer token was not issued for the audience 'datastorage'");
    }

    @Test
    void anUnavailableApiServerIsAnIntrospectionFailureThatIsNotABadToken() {
        var down = new AccessReviewUnavailableException("api server answered HTTP 500 to a TokenReview", null);
        var introspector = new TokenReviewConfiguration.TokenReviewIntrospector(token -> {
            throw down;
        });

        Throwable failure = catchThrowable(() -> introspector.introspect("t"));

        assertThat(failure).isInstanceOf(OAuth2IntrospectionException.class)
                .isNotInstanceOf(BadOpaqueTokenException.class)
                .hasCause(down);
    }
}
