package io.datastorage.server.security;

import io.datastorage.auth.kubernetes.ApiServerConnection;
import io.datastorage.auth.kubernetes.InvalidTokenException;
import io.datastorage.auth.kubernetes.ReviewPermissions;
import io.datastorage.auth.kubernetes.ReviewSettings;
import io.datastorage.auth.kubernetes.ReviewedToken;
import io.datastorage.auth.kubernetes.SubjectAccessReviewPolicy;
import io.datastorage.auth.kubernetes.TokenReviewer;
import io.datastorage.core.access.AccessPolicy;
import io.datastorage.core.access.AccessReviewUnavailableException;
import io.datastorage.core.config.InvalidConfigException;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2TokenIntrospectionClaimNames;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OAuth2IntrospectionAuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.OAuth2IntrospectionException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code datastorage.auth.mode=tokenreview}: the Kubernetes API server vouches for callers. A bearer
 * token is authenticated by TokenReview for the audience {@code datastorage.auth.audience}
 * ({@link TokenReviewer}), and each request's action is authorized by SubjectAccessReview
 * ({@link SubjectAccessReviewPolicy}; the RBAC mapping is in README, "tokenreview mode").
 *
 * <p>This class only wires the module {@code auth-kubernetes} into Spring Security: the
 * {@link OpaqueTokenIntrospector} bean (the security configuration hands it to
 * {@code oauth2ResourceServer().opaqueToken()}) and the {@link AccessPolicy} bean (its
 * authorization manager asks it). The introspector's answers:
 * <ul>
 *   <li>authenticated → a principal named by the subject ({@code system:serviceaccount:<ns>:<name>}),
 *       its groups in the attribute {@code groups} (and {@code exp} when the token is a JWT);
 *   <li>not authenticated for our audience → {@link BadOpaqueTokenException} (401);
 *   <li>API server down or too slow → an {@link OAuth2IntrospectionException} that is <em>not</em> a
 *       {@code BadOpaqueTokenException}, caused by the {@link AccessReviewUnavailableException}
 *       (503 with Retry-After, never 401).
 * </ul>
 * No message carries the token.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "datastorage.auth.mode", havingValue = "tokenreview")
@EnableConfigurationProperties(TokenReviewConfiguration.KubernetesAuthProperties.class)
public class TokenReviewConfiguration {
    private static final Logger log = LoggerFactory.getLogger(TokenReviewConfiguration.class);
    public static final String PREFIX = "datastorage.auth.kubernetes";

    /**
     * {@code datastorage.auth.kubernetes.*}: how the API server is reached (docs/configuration.md).
     * Empty values fall back to fabric8's auto-configuration (in-cluster ServiceAccount, else
     * {@code ~/.kube/config}).
     *
     * @param apiUrl    the API server's URL
     * @param tokenFile the file of the token this service presents (re-read on every use)
     * @param caFile    the PEM file of the CA of the API server's certificate
     * @param timeout   how long connecting and each review may take (100ms..5m)
     */
    @ConfigurationProperties(PREFIX)
    public record KubernetesAuthProperties(@DefaultValue("") String apiUrl, @DefaultValue("") String tokenFile,
                                           @DefaultValue("") String caFile, @DefaultValue("5s") Duration timeout) {

        /** The connection these properties describe; a bad value names its property. */
        public ApiServerConnection connection() {
            try {
                return new ApiServerConnection(url(apiUrl), path(tokenFile), path(caFile), timeout);
            } catch (InvalidConfigException e) {
                throw e.under(PREFIX + ".");
            }
        }

        private static Optional<URI> url(String value) {
            if (value == null || value.isBlank()) {
                return Optional.empty();
            }
            try {
                URI uri = URI.create(value.strip());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null) {
                    return Optional.of(uri);
                }
            } catch (IllegalArgumentException notUri) {
                // reported below
            }
            throw new InvalidConfigException("api-url", "must be an https:// (or http://) URL", "'" + value + "'");
        }

        private static Optional<Path> path(String value) {
            return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.strip()));
        }
    }

    @Bean(destroyMethod = "close")
    KubernetesClient kubernetesReviewClient(KubernetesAuthProperties properties) {
        ApiServerConnection connection = properties.connection();
        KubernetesClient client = connection.newClient();
        log.info("Authentication: Kubernetes TokenReview and SubjectAccessReview at {} (timeout {} ms)",
                client.getConfiguration().getMasterUrl(), connection.timeout().toMillis());
        return client;
    }

    /**
     * Once the service is up, asks the API server (in the background) whether this service may create the reviews it
     * needs and warns naming what to bind if not. Never stops start-up: the API server may be
     * down for a while, and every caller is then answered 503 until it answers.
     */
    @Bean
    ApplicationListener<ApplicationReadyEvent> reviewPermissionsCheck(KubernetesClient kubernetesReviewClient) {
        // Off the main thread: readiness is declared after this event's listeners return, and a
        // slow API server must not hold it back.
        return ready -> Thread.ofVirtual().name("review-permissions-check").start(() -> {
            try {
                List<String> missing = ReviewPermissions.missing(kubernetesReviewClient);
                if (!missing.isEmpty()) {
                    log.warn("Authentication: this service may not {} at the Kubernetes API server: every request "
                            + "will be answered 503 until its ServiceAccount is bound to the ClusterRole "
                            + "system:auth-delegator (README, \"tokenreview mode\")", String.join(" nor ", missing));
                }
            } catch (AccessReviewUnavailableException e) {
                log.warn("Authentication: could not check this service's review permissions: {}", e.getMessage());
            }
        });
    }

    @Bean
    ReviewSettings kubernetesReviewSettings(@Value("${datastorage.auth.audience:datastorage}") String audience) {
        try {
            return ReviewSettings.of(audience);
        } catch (InvalidConfigException e) {
            throw e.under("datastorage.auth.");
        }
    }

    @Bean
    TokenReviewer tokenReviewer(KubernetesClient kubernetesReviewClient, ReviewSettings kubernetesReviewSettings) {
        return new TokenReviewer(kubernetesReviewClient, kubernetesReviewSettings);
    }

    @Bean
    OpaqueTokenIntrospector tokenReviewIntrospector(TokenReviewer tokenReviewer) {
        return new TokenReviewIntrospector(tokenReviewer::review);
    }

    @Bean
    AccessPolicy subjectAccessReviewPolicy(KubernetesClient kubernetesReviewClient,
                                           ReviewSettings kubernetesReviewSettings) {
        return new SubjectAccessReviewPolicy(kubernetesReviewClient, kubernetesReviewSettings);
    }

    /** {@link TokenReviewer} as Spring Security's {@link OpaqueTokenIntrospector} (answers in the class Javadoc). */
    static final class TokenReviewIntrospector implements OpaqueTokenIntrospector {
        /** The attribute that holds the subject's groups (a {@code List<String>}). */
        static final String GROUPS = "groups";

        private final Function<String, ReviewedToken> review;

        TokenReviewIntrospector(Function<String, ReviewedToken> review) {
            this.review = review;
        }

        @Override
        public OAuth2AuthenticatedPrincipal introspect(String token) {
            ReviewedToken reviewed;
            try {
                reviewed = review.apply(token);
            } catch (InvalidTokenException e) {
                throw new BadOpaqueTokenException(e.getMessage());
            } catch (AccessReviewUnavailableException e) {
                throw new OAuth2IntrospectionException(e.getMessage(), e);
            }
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put(OAuth2TokenIntrospectionClaimNames.SUB, reviewed.subject());
            attributes.put(GROUPS, reviewed.groups());
            reviewed.expiresAt().ifPresent(exp -> attributes.put(OAuth2TokenIntrospectionClaimNames.EXP, exp));
            return new OAuth2IntrospectionAuthenticatedPrincipal(reviewed.subject(), attributes,
                    AuthorityUtils.NO_AUTHORITIES);
        }
    }
}
