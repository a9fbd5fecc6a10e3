package io.datastorage.server.security;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.RemoteKeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.Resource;
import io.datastorage.core.access.Subject;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.core.OAuth2Error;
import com.nimbusds.jose.JWSObject;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The jwt mode's decoder: Nimbus, with the issuer's keys from its JWKS and Spring Security's
 * validators for issuer, audience and the time claims.
 * <p>
 * Keys: the JWKS named by {@code datastorage.auth.jwt.jwks-uri}, else by the issuer's OIDC
 * discovery document ({@code <issuer>/.well-known/openid-configuration}, whose {@code issuer} must
 * be the configured one), fetched on first need and again after a failure (so the service starts
 * while the issuer is down, and answers 503 until it is back). The JWKS is requested with
 * {@code Accept: application/jwk-set+json, application/json}: the Kubernetes API server answers
 * 406 to an Accept without the first. Nimbus' {@link JWKSourceBuilder} caches the set (5 min,
 * refreshed ahead of expiry), refreshes it when a token names an unknown {@code kid} (key
 * rotation), at most twice per 30 s (its rate limit), and retries a failed fetch once. A token
 * whose key is not in a freshly fetched set is refused 401; one whose key could not be looked up
 * (the JWKS unreachable, or a refresh held back by the rate limit) is answered 503, never 401.
 */
final class JwtKeys {
    private static final int TIMEOUT_MILLIS = 2_000;
    private static final int SIZE_LIMIT = 1_000_000;
    private static final long CACHE_TTL_MILLIS = 5 * 60_000;
    private static final long REFRESH_TIMEOUT_MILLIS = 5_000;

    private JwtKeys() {
    }

    static JwtDecoder decoder(AuthProperties auth) {
        URI issuer = auth.jwt().issuer();
        JWKSource<SecurityContext> keys = auth.jwt().jwksUri() != null
                ? jwks(url(auth.jwt().jwksUri()))
                : new Discovered(issuer);
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(keys)
                .jwsAlgorithms(algorithms -> algorithms.addAll(List.of(SignatureAlgorithm.RS256, SignatureAlgorithm.RS384,
                        SignatureAlgorithm.RS512, SignatureAlgorithm.ES256, SignatureAlgorithm.ES384,
                        SignatureAlgorithm.ES512, SignatureAlgorithm.PS256, SignatureAlgorithm.PS384,
                        SignatureAlgorithm.PS512)))
                .build();
        decoder.setJwtValidator(validator(auth));
        return decoder;
    }

    /**
     * exp (required) and nbf within the skew, iss the configured issuer, aud containing the
     * audience, and a {@code sub} that may stand for a caller ({@link Subject#nameProblem}: present,
     * not blank, at most {@link Subject#MAX_NAME_LENGTH} characters, no control character nor
     * unpaired surrogate). A token failing any of them is invalid (401).
     */
    static OAuth2TokenValidator<Jwt> validator(AuthProperties auth) {
        String audience = auth.audience();
        return new DelegatingOAuth2TokenValidator<>(List.of(
                new JwtTimestampValidator(auth.clockSkew()),
                new JwtClaimValidator<Object>(JwtClaimNames.EXP, Objects::nonNull),
                new JwtIssuerValidator(auth.jwt().issuer().toString()),
                new JwtClaimValidator<Object>(JwtClaimNames.AUD, aud -> aud instanceof Collection<?> list
                        ? list.contains(audience) : audience.equals(aud)),
                new JwtClaimValidator<Object>(JwtClaimNames.SUB, sub -> sub instanceof String name
                        && Subject.isValidName(name)),
                JwtKeys::subjectIsAString));
    }

    /**
     * RFC 7519 4.1.2: {@code sub} is a string. The JOSE library reads a number there as its digits
     * ({@code 123} becomes the subject {@code "123"}), so the token's payload is read once more as it was signed.
     */
    private static OAuth2TokenValidatorResult subjectIsAString(Jwt jwt) {
        Object sub;
        try {
            sub = JWSObject.parse(jwt.getTokenValue()).getPayload().toJSONObject().get(JwtClaimNames.SUB);
        } catch (java.text.ParseException e) {
            sub = null;
        }
        return sub instanceof String ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "The sub claim is not a string", null));
    }

    private static JWKSource<SecurityContext> jwks(URL url) {
        DefaultResourceRetriever retriever = new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS, SIZE_LIMIT);
        retriever.setHeaders(Map.of("Accept", List.of("application/jwk-set+json, application/json")));
        return JWKSourceBuilder.create(url, retriever)
                .cache(CACHE_TTL_MILLIS, REFRESH_TIMEOUT_MILLIS)
                .refreshAheadCache(true)
                .rateLimited(true)
                .retrying(true)
                .build();
    }

    private static URL url(URI uri) {
        try {
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + uri, e);
        }
    }

    /**
     * The JWKS found by OIDC discovery, looked up on first need. Hand-written because neither
     * Nimbus' builder nor Spring's takes a discovered URL together with a custom
     * {@link JWKSourceBuilder} (Spring's issuer builder fixes its own cache and HTTP client); the
     * discovery document is the only thing fetched here.
     */
    private static final class Discovered implements JWKSource<SecurityContext> {
        private final URI issuer;
        private volatile JWKSource<SecurityContext> keys;

        Discovered(URI issuer) {
            this.issuer = issuer;
        }

        @Override
        public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
            return keys().get(selector, context);
        }

        private synchronized JWKSource<SecurityContext> keys() throws KeySourceException {
            if (keys == null) {
                keys = jwks(discover());
            }
            return keys;
        }

        private URL discover() throws KeySourceException {
            String base = issuer.toString().endsWith("/") ? issuer.toString() : issuer + "/";
            URL location = url(URI.create(base + ".well-known/openid-configuration"));
            DefaultResourceRetriever retriever = new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS, SIZE_LIMIT);
            retriever.setHeaders(Map.of("Accept", List.of("application/json")));
            Map<String, Object> document;
            try {
                Resource resource = retriever.retrieveResource(location);
                document = JSONObjectUtils.parse(resource.getContent());
            } catch (IOException | ParseException e) {
                throw new RemoteKeySourceException("OIDC discovery of the issuer failed", e);
            }
            if (!issuer.toString().equals(document.get("issuer"))) {
                throw new RemoteKeySourceException("the OIDC discovery document names another issuer", null);
            }
            if (!(document.get("jwks_uri") instanceof String jwksUri)) {
                throw new RemoteKeySourceException("the OIDC discovery document has no jwks_uri", null);
            }
            try {
                URI uri = new URI(jwksUri);
                if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
                    throw new RemoteKeySourceException("the OIDC discovery document's jwks_uri is not an http(s) URL", null);
                }
                return uri.toURL();
            } catch (java.net.URISyntaxException | MalformedURLException e) {
                throw new RemoteKeySourceException("the OIDC discovery document's jwks_uri is not a URL", e);
            }
        }
    }
}
