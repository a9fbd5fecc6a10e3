package io.datastorage.server.security;

import io.datastorage.core.config.ConfigChecks;
import io.datastorage.core.config.InvalidConfigException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code datastorage.auth.*} settings (each also an environment variable,
 * {@code DATASTORAGE_AUTH_MODE} and so on; docs/configuration.md). A bad value stops start-up
 * naming the property, the value and what is allowed; in jwt mode the policy file is read and
 * checked here too, so a malformed one stops start-up naming the file and the line.
 *
 * @param mode                       none (default), jwt or tokenreview
 * @param allowUnauthenticatedRemote in mode none, listen on {@code server.address} even when it
 *                                   is not a loopback address (default false: loopback only)
 * @param jwt                        where the jwt mode finds the issuer's keys
 * @param audience                   the audience a token must name (its {@code aud} contains it)
 * @param policyFile                 jwt mode: YAML or JSON file mapping subjects and groups to
 *                                   actions; absent: every authenticated subject may write, read
 *                                   and search, and only {@code admins} may administer
 * @param admins                     subjects that may use the admin endpoints (in jwt mode, with
 *                                   or without a policy file); set in another mode, start-up stops
 *                                   (tokenreview asks RBAC, none lets everyone)
 * @param openPaths                  paths of the API port answered without authentication
 * @param clockSkew                  tolerance on {@code exp} and {@code nbf}: 0s..30s, the issue's
 *                                   bound (a larger value is refused, not clamped)
 */
@ConfigurationProperties("datastorage.auth")
public record AuthProperties(
        @DefaultValue("none") AuthMode mode,
        @DefaultValue("false") boolean allowUnauthenticatedRemote,
        @DefaultValue Jwt jwt,
        @DefaultValue("datastorage") String audience,
        Path policyFile,
        @DefaultValue List<String> admins,
        @DefaultValue({"/healthz", "/readyz", "/api/v1/openapi.yaml"}) List<String> openPaths,
        @DefaultValue("30s") Duration clockSkew) {

    /** The longest skew allowed on {@code exp} and {@code nbf}. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(30);

    /**
     * @param issuer  the tokens' {@code iss}, e.g. {@code https://kubernetes.default.svc.cluster.local};
     *                its OIDC discovery document names the JWKS unless {@code jwksUri} is set.
     *                Required in jwt mode.
     * @param jwksUri the JWKS, used instead of discovery when set
     */
    public record Jwt(URI issuer, URI jwksUri) {
        public Jwt {
            httpUrl("datastorage.auth.jwt.issuer", issuer);
            httpUrl("datastorage.auth.jwt.jwks-uri", jwksUri);
        }

        private static void httpUrl(String property, URI value) {
            if (value != null && (value.getScheme() == null || value.getHost() == null
                    || !(value.getScheme().equalsIgnoreCase("https") || value.getScheme().equalsIgnoreCase("http")))) {
                throw new InvalidConfigException(property, "must be an http(s) URL", "'" + value + "'");
            }
        }
    }

    public AuthProperties {
        ConfigChecks.required("datastorage.auth.audience", audience);
        ConfigChecks.range("datastorage.auth.clock-skew", clockSkew, Duration.ZERO, MAX_CLOCK_SKEW);
        admins = admins.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        openPaths = openPaths.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String path : openPaths) {
            if (!path.startsWith("/") || path.startsWith("/api/v1/audit") || path.startsWith("/api/v1/admin")) {
                throw new InvalidConfigException("datastorage.auth.open-paths", "must be paths starting with '/' "
                        + "outside /api/v1/audit and /api/v1/admin (records and admin always need a token)", "'" + path + "'");
            }
        }
        if (mode == AuthMode.JWT) {
            if (jwt.issuer() == null) {
                throw new InvalidConfigException("datastorage.auth.jwt.issuer", "must be set when datastorage.auth.mode "
                        + "is jwt (the tokens' iss, e.g. https://kubernetes.default.svc.cluster.local)", "empty");
            }
            if (policyFile != null) {
                PolicyFileAccessPolicy.read(policyFile, Set.copyOf(admins));
            }
        } else if (policyFile != null) {
            // Set but never read would look like access control that is not there.
            throw new InvalidConfigException("datastorage.auth.policy-file", "is read in mode jwt only; "
                    + "datastorage.auth.mode is " + mode.name().toLowerCase(java.util.Locale.ROOT), "'" + policyFile + "'");
        } else if (!admins.isEmpty()) {
            // The same: in tokenreview mode SubjectAccessReview (RBAC) decides who administers, in none everyone may.
            throw new InvalidConfigException("datastorage.auth.admins", "is read in mode jwt only; "
                    + "datastorage.auth.mode is " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + (mode == AuthMode.TOKENREVIEW ? ", where RBAC decides who administers (SubjectAccessReview "
                    + "for create on audits/admin in the API group datastorage.io)" : ", where anyone may administer"),
                    "'" + String.join(",", admins) + "'");
        }
    }

    /** The admins as a set. */
    public Set<String> adminSet() {
        return admins.stream().collect(Collectors.toUnmodifiableSet());
    }

    /** Whether callers must be authenticated. */
    public boolean authenticates() {
        return mode != AuthMode.NONE;
    }
}
