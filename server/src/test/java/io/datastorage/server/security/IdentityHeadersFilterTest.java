package io.datastorage.server.security;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;

/** Identity headers, in any letter case, are gone for everything after the filter; other headers stay. */
class IdentityHeadersFilterTest {

    @Test
    void identityHeadersAreInvisibleAfterTheFilter() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/audit");
        for (String name : new String[]{"X-Remote-User", "x-remote-group", "X-Remote-Extra-Scopes", "X-Auth-Request-User",
                "X-Auth-Request-Email", "X-Forwarded-User", "X-FORWARDED-EMAIL", "X-WEBAUTH-USER", "Remote-User",
                "X-Goog-Authenticated-User-Email", "X-Amzn-Oidc-Identity", "Cf-Access-Authenticated-User-Email",
                "X-Ms-Client-Principal-Name"}) {
            request.addHeader(name, "admin");
        }
        request.addHeader("Authorization", "Bearer t");
        request.addHeader("X-Forwarded-For", "10.0.0.1");
        request.addHeader("X-Correlation-ID", "c-1");
        MockFilterChain chain = new MockFilterChain();

        new IdentityHeadersFilter().doFilter(request, new MockHttpServletResponse(), chain);

        HttpServletRequest seen = (HttpServletRequest) chain.getRequest();
        assertThat(Collections.list(seen.getHeaderNames()))
                .containsExactlyInAnyOrder("Authorization", "X-Forwarded-For", "X-Correlation-ID");
        assertThat(seen.getHeader("x-remote-user")).isNull();
        assertThat(seen.getHeader("X-WEBAUTH-USER")).isNull();
        assertThat(Collections.list(seen.getHeaders("Remote-User"))).isEmpty();
        assertThat(seen.getIntHeader("X-Remote-User")).isEqualTo(-1);
        assertThat(seen.getHeader("Authorization")).isEqualTo("Bearer t");
    }

    @Test
    void aRequestWithoutIdentityHeadersIsPassedOnAsItIs() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/audit");
        request.addHeader("User-Agent", "curl");
        MockFilterChain chain = new MockFilterChain();

        new IdentityHeadersFilter().doFilter(request, new MockHttpServletResponse(), chain);

        assertThat(chain.getRequest()).isSameAs(request);
    }
}
