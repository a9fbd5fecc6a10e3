package io.datastorage.server.security;

import io.datastorage.core.access.AccessReviewUnavailableException;
import io.datastorage.core.access.Action;
import io.datastorage.core.access.Decision;
import io.datastorage.core.access.Subject;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.core.DefaultOAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthentication;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The authorization seam as the tokenreview mode uses it (an introspected principal with a
 * {@code groups} attribute, a policy that may fail to decide), without a Kubernetes API server.
 */
class ActionAuthorizationTest {

    static BearerTokenAuthentication caller(String name, List<String> groups) {
        DefaultOAuth2AuthenticatedPrincipal principal = new DefaultOAuth2AuthenticatedPrincipal(name,
                Map.of("sub", name, ActionAuthorization.GROUPS, groups), AuthorityUtils.NO_AUTHORITIES);
        return new BearerTokenAuthentication(principal, new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER,
                "opaque", Instant.now(), Instant.now().plusSeconds(60)), AuthorityUtils.NO_AUTHORITIES);
    }

    static RequestAuthorizationContext request(String method, String path) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setServletPath(path);
        return new RequestAuthorizationContext(request);
    }

    @Test
    void asksThePolicyWithTheSubjectItsGroupsAndTheAction() {
        List<Object[]> asked = new ArrayList<>();
        ActionAuthorization authorization = new ActionAuthorization((subject, action) -> {
            asked.add(new Object[]{subject, action});
            return Decision.allow("test");
        });

        assertThat(authorization.authorize(() -> caller("system:serviceaccount:a:b", List.of("ops", "", "ops\u0000x", "y".repeat(513))),
                request("POST", "/api/v1/audit/search")).isGranted()).isTrue();

        assertThat(asked).hasSize(1);
        assertThat(asked.getFirst()[0]).isEqualTo(new Subject("system:serviceaccount:a:b", Set.of("ops")));
        assertThat(asked.getFirst()[1]).isEqualTo(Action.SEARCH);
    }

    @Test
    void anAnonymousCallerIsRefusedWithoutAskingThePolicy() {
        ActionAuthorization authorization = new ActionAuthorization((subject, action) -> {
            throw new AssertionError("asked");
        });
        AnonymousAuthenticationToken anonymous = new AnonymousAuthenticationToken("k", "anonymousUser",
                AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));

        assertThat(authorization.authorize(() -> anonymous, request("GET", "/api/v1/audit")).isGranted()).isFalse();
    }

    @Test
    void aCallerWhoseNameCouldNotBeRecordedIsRefusedWithoutAskingThePolicy() {
        ActionAuthorization authorization = new ActionAuthorization((subject, action) -> {
            throw new AssertionError("asked");
        });

        assertThat(authorization.authorize(() -> caller("a\u0000b\nX", List.of()), request("GET", "/api/v1/audit"))
                .isGranted()).isFalse();
    }

    @Test
    void aPolicyThatCannotDecideIsA503AuthUnavailableNeverA403() throws Exception {
        ActionAuthorization authorization = new ActionAuthorization((subject, action) -> {
            throw new AccessReviewUnavailableException("API server timed out", null);
        });
        RequestAuthorizationContext context = request("GET", "/api/v1/audit");

        assertThatThrownBy(() -> authorization.authorize(() -> caller("x", List.of()), context))
                .isInstanceOf(SecurityProblems.ReviewUnavailable.class);
        MockHttpServletResponse response = new MockHttpServletResponse();
        new SecurityProblems(request -> { }).handle((MockHttpServletRequest) context.getRequest(), response,
                new SecurityProblems.ReviewUnavailable(new AccessReviewUnavailableException("down", null)));

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isNotBlank();
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
        assertThat(response.getContentAsString()).contains("urn:datastorage:problem:auth-unavailable");
    }

    @Test
    void anIntrospectorThatCannotReviewBecomesAnAuthenticationServiceException() {
        var introspector = SecurityConfiguration.unavailableAsServiceException(token -> {
            throw new AccessReviewUnavailableException("API server 500", null);
        });

        assertThatThrownBy(() -> introspector.introspect("t"))
                .isInstanceOf(org.springframework.security.authentication.AuthenticationServiceException.class);
    }
}
