package io.datastorage.server.security;

import io.datastorage.core.access.AccessPolicy;
import io.datastorage.core.access.AccessReviewUnavailableException;
import io.datastorage.core.config.InvalidConfigException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.firewall.FirewalledRequest;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.context.WebApplicationContext;

import java.net.InetAddress;
import java.util.Set;

/**
 * Authentication and authorization of the API port (README, "Authentication and authorization").
 * <ul>
 *   <li>{@code none}: everything is open, as before there was authentication; the answers are
 *       the same (no security headers added, no request refused by Spring Security's firewall),
 *       and the API listens on the loopback address unless
 *       {@code datastorage.auth.allow-unauthenticated-remote=true}.</li>
 *   <li>{@code jwt}: Spring Security's resource server with {@link JwtKeys#decoder}, authorized by
 *       {@link PolicyFileAccessPolicy}.</li>
 *   <li>{@code tokenreview}: the resource server with the {@link OpaqueTokenIntrospector} and the
 *       {@link AccessPolicy} of the auth-kubernetes module's configuration; without them start-up fails.</li>
 * </ul>
 * In every mode the management port (health, metrics) stays open, identity headers are dropped
 * ({@link IdentityHeadersFilter}), and callers may be rate limited ({@link RateLimitFilter}; never
 * on the management port nor the open paths; in jwt and tokenreview modes a refused bearer token
 * counts against its remote address, and an address that used up its bucket is answered 429
 * before its token is checked).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfiguration {

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, AuthProperties auth, RateLimitProperties rateLimit,
                                    WebApplicationContext context, ObjectProvider<JwtDecoder> jwtDecoder,
                                    ObjectProvider<OpaqueTokenIntrospector> introspector,
                                    ObjectProvider<AccessPolicy> policy) throws Exception {
        // The management port's requests pass this chain too (its child context shares the filter): always open.
        RequestMatcher managementPort = request -> request.getServletContext() != context.getServletContext();
        RequestMatcher openPath = request -> auth.openPaths().contains(EndpointActions.routedPath(request));
        RateLimitFilter limit = rateLimit.enabledFor(auth.mode())
                ? new RateLimitFilter(rateLimit, request -> managementPort.matches(request) || openPath.matches(request))
                : null;
        SecurityProblems problems = new SecurityProblems(limit == null ? request -> { } : limit::countFailedAuthentication);
        http.csrf(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems));
        if (limit != null) {
            http.addFilterBefore(limit, AuthorizationFilter.class);
            if (auth.authenticates()) {
                // An address whose failed authentications emptied its bucket gets 429 before its token is checked.
                http.addFilterBefore(limit.addressGate(), BearerTokenAuthenticationFilter.class);
            }
        }
        if (auth.mode() == AuthMode.NONE) {
            return http.headers(AbstractHttpConfigurer::disable)
                    .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                    .build();
        }
        AccessPolicy accessPolicy;
        if (auth.mode() == AuthMode.JWT) {
            accessPolicy = policy.getObject();
            http.oauth2ResourceServer(o -> o.jwt(j -> j.decoder(jwtDecoder.getObject())));
        } else {
            OpaqueTokenIntrospector reviewer = introspector.getIfAvailable();
            accessPolicy = policy.getIfAvailable();
            if (reviewer == null || accessPolicy == null) {
                throw new InvalidConfigException("datastorage.auth.mode", "needs the auth-kubernetes module "
                        + "(TokenReview and SubjectAccessReview), which this build does not include; use none or jwt",
                        "tokenreview");
            }
            http.oauth2ResourceServer(o -> o.opaqueToken(t -> t.introspector(unavailableAsServiceException(reviewer))));
        }
        // The open paths and the management port ignore a token: a probe whose token expired must still
        // see health, and a bad token there must not be a 401.
        DefaultBearerTokenResolver bearer = new DefaultBearerTokenResolver();
        BearerTokenResolver resolver = request -> managementPort.matches(request) || openPath.matches(request)
                ? null : bearer.resolve(request);
        http.oauth2ResourceServer(o -> o.authenticationEntryPoint(problems).accessDeniedHandler(problems)
                .bearerTokenResolver(resolver)
                // RFC 9728 metadata: no mutual-TLS certificate-bound tokens here (Spring's default says true).
                .protectedResourceMetadata(m -> m.protectedResourceMetadataCustomizer(
                        metadata -> metadata.tlsClientCertificateBoundAccessTokens(false)))
                .withObjectPostProcessor(new ObjectPostProcessor<BearerTokenAuthenticationFilter>() {
                    @Override
                    public <O extends BearerTokenAuthenticationFilter> O postProcess(O filter) {
                        // Spring's default rethrows an AuthenticationServiceException (the JWKS is down), which
                        // would surface as a 500: answered 503 auth-unavailable instead.
                        filter.setAuthenticationFailureHandler(problems);
                        return filter;
                    }
                }));
        ActionAuthorization actions = new ActionAuthorization(accessPolicy);
        return http.authorizeHttpRequests(a -> a
                        .requestMatchers(managementPort).permitAll()
                        .requestMatchers(openPath).permitAll()
                        .anyRequest().access(actions))
                .build();
    }

    /**
     * The reviewer's "could not review" ({@link AccessReviewUnavailableException}) as the
     * {@link AuthenticationServiceException} Spring Security passes on to the failure handler
     * (503 auth-unavailable); as it is, it would escape the filter as a 500.
     */
    static OpaqueTokenIntrospector unavailableAsServiceException(OpaqueTokenIntrospector reviewer) {
        return token -> {
            try {
                return reviewer.introspect(token);
            } catch (AccessReviewUnavailableException e) {
                throw new AuthenticationServiceException("the token could not be reviewed", e);
            }
        };
    }

    /**
     * Mode none answers as the service did before authentication: Spring Security's firewall (which
     * refuses paths with {@code ;}, encoded slashes and the like, and some header values) is left
     * out. Hand-written because Spring Security has no firewall that lets everything through.
     */
    @Bean
    WebSecurityCustomizer firewall(AuthProperties auth) {
        return web -> {
            if (auth.mode() == AuthMode.NONE) {
                web.httpFirewall(new HttpFirewall() {
                    @Override
                    public FirewalledRequest getFirewalledRequest(HttpServletRequest request) {
                        return new FirewalledRequest(request) {
                            @Override
                            public void reset() {
                            }
                        };
                    }

                    @Override
                    public HttpServletResponse getFirewalledResponse(HttpServletResponse response) {
                        return response;
                    }
                });
            }
        };
    }

    @Bean
    @ConditionalOnProperty(name = "datastorage.auth.mode", havingValue = "jwt")
    JwtDecoder jwtDecoder(AuthProperties auth) {
        return JwtKeys.decoder(auth);
    }

    @Bean
    @ConditionalOnProperty(name = "datastorage.auth.mode", havingValue = "jwt")
    AccessPolicy policyFileAccessPolicy(AuthProperties auth) {
        Set<String> admins = auth.adminSet();
        return auth.policyFile() == null ? PolicyFileAccessPolicy.withoutFile(admins)
                : PolicyFileAccessPolicy.read(auth.policyFile(), admins);
    }

    /**
     * Mode none listens on the loopback address: with no authentication, anyone who can reach the
     * port could write, read and administer. {@code server.address} set to another address is
     * refused unless {@code datastorage.auth.allow-unauthenticated-remote=true}. The management
     * port keeps its own address (health and metrics hold no records; probes must reach it).
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> loopbackWithoutAuthentication(AuthProperties auth) {
        return new LoopbackWithoutAuthentication(auth);
    }

    static final class LoopbackWithoutAuthentication
            implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
        private final AuthProperties auth;

        LoopbackWithoutAuthentication(AuthProperties auth) {
            this.auth = auth;
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            if (auth.authenticates() || auth.allowUnauthenticatedRemote()) {
                return;
            }
            InetAddress address = factory.getAddress();
            if (address == null) {
                factory.setAddress(InetAddress.getLoopbackAddress());
            } else if (!address.isLoopbackAddress()) {
                throw new InvalidConfigException("server.address", "must be a loopback address when "
                        + "datastorage.auth.mode is none, unless datastorage.auth.allow-unauthenticated-remote=true "
                        + "(without authentication anyone who reaches the port may write, read and administer)",
                        address.getHostAddress());
            }
        }

        /** After Spring Boot's own customizer, which sets the address from server.address. */
        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
