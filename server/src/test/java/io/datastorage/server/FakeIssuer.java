package io.datastorage.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A stand-in for the Kubernetes API server as an OIDC issuer of ServiceAccount tokens: OIDC
 * discovery and the JWKS over HTTP (JDK HttpServer), with keys generated here and tokens signed
 * with Nimbus. Like the API server, the JWKS answers 406 unless the Accept header names
 * {@code application/jwk-set+json}. Keys can be published later (rotation) or kept unpublished.
 */
final class FakeIssuer implements AutoCloseable {
    static final String AUDIENCE = "datastorage";
    /** The audience of a default API-server token (one minted without an audience). */
    static final String API_SERVER_AUDIENCE = "https://kubernetes.default.svc";

    private final HttpServer server;
    private final List<JWK> published = new CopyOnWriteArrayList<>();
    /** Everything answers 503 (discovery and JWKS). */
    volatile boolean down;
    /** The JWKS answers 500. */
    volatile boolean jwksDown;
    /** The Accept header of every JWKS request, in order. */
    final List<String> jwksAccepts = new CopyOnWriteArrayList<>();

    FakeIssuer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/.well-known/openid-configuration", exchange -> answer(exchange, down ? 503 : 200, "application/json",
                "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/openid/v1/jwks\","
                        + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
                        + "\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"]}"));
        server.createContext("/openid/v1/jwks", exchange -> {
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            jwksAccepts.add(String.valueOf(accept));
            if (down || jwksDown) {
                answer(exchange, down ? 503 : 500, "text/plain", "unavailable");
            } else if (accept == null || !accept.contains("application/jwk-set+json")) {
                answer(exchange, 406, "application/json", "{\"kind\":\"Status\",\"code\":406}");
            } else {
                answer(exchange, 200, "application/jwk-set+json", new JWKSet(published).toPublicJWKSet().toString());
            }
        });
        server.start();
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static ECKey ecKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    void publish(JWK key) {
        published.add(key);
    }

    /** The claims of a valid projected ServiceAccount token of {@code subject}, for 10 minutes from now. */
    JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer()).subject(subject).audience(AUDIENCE)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)));
    }

    static String sign(JWK key, JWTClaimsSet claims) {
        try {
            boolean rsa = key instanceof RSAKey;
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(rsa ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256)
                    .keyID(key.getKeyID()).build(), claims);
            jwt.sign(rsa ? new RSASSASigner(key.toRSAKey()) : new ECDSASigner(key.toECKey()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    String token(JWK key, String subject, UnaryOperator<JWTClaimsSet.Builder> change) {
        return sign(key, change.apply(claims(subject)).build());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
