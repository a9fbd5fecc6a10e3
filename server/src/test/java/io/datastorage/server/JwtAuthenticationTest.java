package io.datastorage.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mode jwt end to end: the service validates projected-ServiceAccount-style tokens of a
 * {@link FakeIssuer} (OIDC discovery and a JWKS over local HTTP, keys generated here), authorizes
 * them by a policy file and the admins list, ignores identity headers, and limits each subject's
 * rate and each address's refused tokens. The tests of refused subjects and of the address limit
 * send from their own loopback address (127.0.0.2 and so on), so that they do not use up the bucket
 * of the others' address. The fake's JWKS answers 406 to an Accept without
 * {@code application/jwk-set+json}, as the
 * Kubernetes API server does: every accepted token shows that the service copes.
 */
@ExtendWith(OutputCaptureExtension.class)
class JwtAuthenticationTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String WRITER = "system:serviceaccount:apps:writer";
    static final String READER = "system:serviceaccount:apps:reader";
    static final String AUDITOR = "system:serviceaccount:apps:auditor";
    static final String HASTY = "system:serviceaccount:apps:hasty";
    static final String ADMIN = "system:serviceaccount:ops:admin";
    static final int BURST = 50;

    static FakeIssuer issuer;
    static RunningService service;
    static RSAKey key;

    @BeforeAll
    static void start() throws IOException {
        issuer = new FakeIssuer();
        key = FakeIssuer.rsaKey("rsa-1");
        issuer.publish(key);
        Path dataDir = RunningService.newDataDir();
        Path policy = dataDir.resolve("policy.yaml");
        Files.writeString(policy, """
                subjects:
                  "%s": ["write:remediation", read]
                  "%s": [read]
                  "%s": [read]
                groups:
                  auditors: [search]
                """.formatted(WRITER, READER, HASTY));
        service = RunningService.start(dataDir,
                "--datastorage.auth.mode=jwt",
                "--datastorage.auth.jwt.issuer=" + issuer.issuer(),
                "--datastorage.auth.policy-file=" + policy,
                "--datastorage.auth.admins=" + ADMIN,
                "--datastorage.ratelimit.requests-per-second=1",
                "--datastorage.ratelimit.burst=" + BURST);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        issuer.close();
    }

    static String token(String subject) {
        return issuer.token(key, subject, c -> c);
    }

    static HttpResponse<String> get(String path, String token, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.api(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return service.send(request);
    }

    static HttpResponse<String> post(String path, String body, String token, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.api(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return service.send(request);
    }

    static JsonNode problem(HttpResponse<String> answer, int status, String type) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(answer.headers().firstValue("X-Correlation-ID")).isPresent();
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.path("type").asString()).isEqualTo("urn:datastorage:problem:" + type);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        return problem;
    }

    @Test
    void aValidTokenWritesAndReadsAndTheKeysWereFetchedWithTheAcceptTheApiServerWants() {
        String token = token(WRITER);
        String name = "jwt-" + UUID.randomUUID();

        HttpResponse<String> created = post("/api/v1/audit/remediation", validRecord("remediation", name), token);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asString();
        HttpResponse<String> read = get("/api/v1/audit/remediation/" + id, token);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(read.body()).path("recordedBy").asString()).isEqualTo(WRITER);

        assertThat(issuer.jwksAccepts).isNotEmpty().allSatisfy(accept -> assertThat(accept)
                .contains("application/jwk-set+json"));
        // The fake is as strict as the API server: a plain JSON Accept is refused.
        HttpResponse<String> plain = service.send(HttpRequest.newBuilder(java.net.URI.create(issuer.issuer() + "/openid/v1/jwks"))
                .header("Accept", "application/json").GET());
        assertThat(plain.statusCode()).isEqualTo(406);
    }

    @Test
    void noTokenIs401WithWwwAuthenticateBearerEverywhereButTheOpenPaths() {
        for (String path : List.of("/api/v1/audit", "/api/v1/audit/remediation", "/api/v1/admin/reconcile",
                "/api/v1/admin/migration", "/no/such/path")) {
            HttpResponse<String> answer = get(path, null);
            problem(answer, 401, "unauthenticated");
            assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        }
        problem(post("/api/v1/audit/remediation", validRecord("remediation", "x"), null), 401, "unauthenticated");
        problem(post("/api/v1/audit/nosuchkind", "{}", null), 401, "unauthenticated");
        problem(post("/api/v1/audit/search", "{}", null), 401, "unauthenticated");
    }

    @Test
    void theOpenPathsAndTheManagementPortNeedNoToken() {
        assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
        assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/openapi.yaml", null).statusCode()).isEqualTo(200);
        assertThat(service.get(service.management("/health")).statusCode()).isEqualTo(200);
        assertThat(service.get(service.management("/metrics")).statusCode()).isEqualTo(200);
        HttpResponse<String> metadata = get("/.well-known/oauth-protected-resource", null);
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(metadata.body()).contains("bearer_methods_supported");
        // The service does not bind tokens to mutual-TLS client certificates (RFC 8705): absent or false.
        assertThat(JSON.readTree(metadata.body()).path("tls_client_certificate_bound_access_tokens").asBoolean(false))
                .isFalse();
        // a probe whose token went bad or expired still sees health: the open paths ignore a token
        for (String path : List.of("/healthz", "/readyz", "/api/v1/openapi.yaml")) {
            assertThat(get(path, "garbage").statusCode()).as(path).isEqualTo(200);
            assertThat(get(path, token(READER) + "tampered").statusCode()).as(path).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."})
    void aMalformedTokenIs401(String token) {
        HttpResponse<String> answer = get("/api/v1/audit/remediation", token);
        problem(answer, 401, "unauthenticated");
        assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("invalid_token"));
    }

    @Test
    void aDefaultApiServerTokenReplayedHereIs401ForItsAudience() {
        String replayed = issuer.token(key, READER, c -> c.audience(FakeIssuer.API_SERVER_AUDIENCE));
        problem(get("/api/v1/audit/remediation", replayed), 401, "unauthenticated");
        String both = issuer.token(key, READER, c -> c.audience(List.of(FakeIssuer.API_SERVER_AUDIENCE, "datastorage")));
        assertThat(get("/api/v1/audit/remediation", both).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenOfAnotherIssuerOrWithoutExpiryIs401() {
        problem(get("/api/v1/audit/remediation", issuer.token(key, READER, c -> c.issuer("https://elsewhere"))),
                401, "unauthenticated");
        problem(get("/api/v1/audit/remediation", issuer.token(key, READER, c -> c.expirationTime(null))),
                401, "unauthenticated");
    }

    @Test
    void expiryAndNotBeforeAreCheckedWithThirtySecondsOfSkew() {
        // JWT times are whole seconds: each is rounded so that the request lies at least 31 s past exp
        // (before nbf), or at most 29 s, when it is checked within the second.
        Instant floor = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant ceiling = floor.plusSeconds(1);
        Instant longAgo = floor.minusSeconds(700);
        String expired31 = issuer.token(key, READER, c -> c.issueTime(Date.from(longAgo))
                .notBeforeTime(Date.from(longAgo)).expirationTime(Date.from(floor.minusSeconds(31))));
        String expired29 = issuer.token(key, READER, c -> c.issueTime(Date.from(longAgo))
                .notBeforeTime(Date.from(longAgo)).expirationTime(Date.from(ceiling.minusSeconds(29))));
        String early31 = issuer.token(key, READER, c -> c.notBeforeTime(Date.from(ceiling.plusSeconds(31))));
        String early29 = issuer.token(key, READER, c -> c.notBeforeTime(Date.from(floor.plusSeconds(29))));

        problem(get("/api/v1/audit/remediation", expired31), 401, "unauthenticated");
        problem(get("/api/v1/audit/remediation", early31), 401, "unauthenticated");
        assertThat(get("/api/v1/audit/remediation", expired29).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/audit/remediation", early29).statusCode()).isEqualTo(200);
    }

    @Test
    void aRotatedKeyIsFetchedWhenATokenNamesItsKidAndAnUnpublishedKeyIsRefused() {
        assertThat(get("/api/v1/audit/remediation", token(READER)).statusCode()).isEqualTo(200);
        int fetches = issuer.jwksAccepts.size();
        ECKey rotated = FakeIssuer.ecKey("ec-2");
        issuer.publish(rotated);

        HttpResponse<String> answer = get("/api/v1/audit/remediation", issuer.token(rotated, READER, c -> c));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(issuer.jwksAccepts.size()).isGreaterThan(fetches);
        // Its kid makes the service refresh the keys (then 401: not in the set), unless the refresh's rate
        // limit (two per 30 s) is used up by the tests before (then 503: could not be looked up). Never 200.
        HttpResponse<String> unpublished = get("/api/v1/audit/remediation",
                issuer.token(FakeIssuer.rsaKey("never-published"), READER, c -> c));
        if (unpublished.statusCode() == 503) {
            problem(unpublished, 503, "auth-unavailable");
        } else {
            problem(unpublished, 401, "unauthenticated");
        }
        // A key of the right kid but another key pair: a forged signature.
        problem(get("/api/v1/audit/remediation", issuer.token(FakeIssuer.rsaKey("rsa-1"), READER, c -> c)),
                401, "unauthenticated");
    }

    @Test
    void eachActionIsRefused403NamingTheActionWhenThePolicyDoesNotGrantIt() {
        String reader = token(READER);
        JsonNode write = problem(post("/api/v1/audit/remediation", validRecord("remediation", "r"), reader),
                403, "forbidden");
        assertThat(write.path("action").asString()).isEqualTo("write:remediation");
        assertThat(write.path("detail").asString()).contains(READER).contains("write:remediation");
        assertThat(problem(post("/api/v1/audit/remediation/batch", "[]", reader), 403, "forbidden")
                .path("action").asString()).isEqualTo("write:remediation");
        String writer = token(WRITER);
        assertThat(problem(post("/api/v1/audit/workflow", validRecord("workflow", "w"), writer), 403, "forbidden")
                .path("action").asString()).isEqualTo("write:workflow");
        assertThat(problem(post("/api/v1/audit/search", "{}", writer), 403, "forbidden").path("action").asString())
                .isEqualTo("search");
        assertThat(problem(get("/api/v1/admin/reconcile", writer), 403, "forbidden").path("action").asString())
                .isEqualTo("admin");
        String stranger = token("system:serviceaccount:apps:stranger");
        assertThat(problem(get("/api/v1/audit", stranger), 403, "forbidden").path("action").asString())
                .isEqualTo("read");
    }

    @Test
    void aGroupOfTheTokenGrantsItsActionsAndAnUnknownKindStaysA400AfterAuthentication() {
        String auditor = issuer.token(key, AUDITOR, c -> c.claim("groups", List.of("auditors")));
        HttpResponse<String> search = post("/api/v1/audit/search", "{}", auditor);
        assertThat(search.statusCode()).as(search.body()).isEqualTo(400); // authorized: the empty query is refused
        problem(get("/api/v1/audit", auditor), 403, "forbidden");

        HttpResponse<String> unknownKind = post("/api/v1/audit/nosuchkind", "{}", token(WRITER));
        assertThat(unknownKind.statusCode()).isEqualTo(400);
    }

    @Test
    void onlyTheListedAdminsAdminister() {
        HttpResponse<String> admin = get("/api/v1/admin/reconcile", token(ADMIN));
        assertThat(admin.statusCode()).as(admin.body()).isNotIn(401, 403);
        assertThat(problem(get("/api/v1/admin/migration", token(READER)), 403, "forbidden").path("action").asString())
                .isEqualTo("admin");
    }

    @Test
    void spoofedIdentityHeadersAreIgnoredTheTokensSubjectIsTheCaller() {
        String reader = token(READER);
        String[] spoofed = {"X-Remote-User", ADMIN, "X-Remote-Group", "system:masters", "X-Auth-Request-User", ADMIN,
                "X-Auth-Request-Email", "admin@example.com", "X-Forwarded-User", ADMIN, "X-Forwarded-Email",
                "admin@example.com", "X-WEBAUTH-USER", ADMIN, "Remote-User", ADMIN};

        JsonNode admin = problem(get("/api/v1/admin/reconcile", reader, spoofed), 403, "forbidden");
        assertThat(admin.path("action").asString()).isEqualTo("admin");
        assertThat(admin.path("detail").asString()).contains(READER).doesNotContain(ADMIN);
        problem(post("/api/v1/audit/remediation", validRecord("remediation", "s"), reader, spoofed), 403, "forbidden");
        // Without a token, the headers authenticate nobody.
        problem(get("/api/v1/admin/reconcile", null, spoofed), 401, "unauthenticated");
        // The writer is recorded from the token, never from a header.
        String writer = token(WRITER);
        HttpResponse<String> created = post("/api/v1/audit/remediation", validRecord("remediation", "spoof-" + UUID.randomUUID()),
                writer, spoofed);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> read = get("/api/v1/audit/remediation/" + JSON.readTree(created.body()).path("id").asString(),
                writer, spoofed);
        assertThat(JSON.readTree(read.body()).path("recordedBy").asString()).isEqualTo(WRITER);
    }

    @Test
    void tokensAppearNeitherInLogsNorInProblemBodies(CapturedOutput output) {
        Instant now = Instant.now();
        List<String> rejected = List.of(
                issuer.token(key, READER, c -> c.expirationTime(Date.from(now.minusSeconds(3600)))
                        .issueTime(Date.from(now.minusSeconds(7200))).notBeforeTime(Date.from(now.minusSeconds(7200)))),
                issuer.token(key, READER, c -> c.audience("someone-else")),
                issuer.token(FakeIssuer.rsaKey("rsa-1"), READER, c -> c),
                token(READER) + "tampered");
        List<String> bodies = new ArrayList<>();
        for (String token : rejected) {
            bodies.add(get("/api/v1/audit/remediation", token).body());
        }
        bodies.add(post("/api/v1/audit/workflow", "{}", token(READER)).body());

        for (String token : rejected) {
            String signature = token.substring(token.lastIndexOf('.') + 1);
            assertThat(output.getAll()).doesNotContain(token).doesNotContain(signature);
            assertThat(bodies).noneSatisfy(body -> assertThat(body).contains(signature));
        }
    }

    @Test
    void aSubjectOverItsRateIsAnswered429WithRetryAfterAndOthersAreNotSlowed() {
        String hasty = token(HASTY);
        HttpResponse<String> limited = null;
        for (int i = 0; i < BURST * 2 && limited == null; i++) {
            HttpResponse<String> answer = get("/api/v1/audit/remediation", hasty);
            if (answer.statusCode() == 429) {
                limited = answer;
            }
        }
        assertThat(limited).as("a 429 within twice the burst at 1 request/s").isNotNull();
        problem(limited, 429, "rate-limited");
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
                assertThat(Long.parseLong(v)).isGreaterThanOrEqualTo(1));
        assertThat(get("/api/v1/audit/remediation", token(READER)).statusCode()).isEqualTo(200);
    }

    /** A client whose requests come from {@code address} (any of 127/8 reaches the service): its own rate bucket. */
    static HttpClient clientFrom(String address) {
        try {
            return HttpClient.newBuilder().localAddress(InetAddress.getByName(address))
                    .connectTimeout(Duration.ofSeconds(10)).build();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> getFrom(HttpClient client, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.api(path)).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A token signed by the issuer's key whose {@code sub} is {@code jsonSubject} as JSON text (so it
     * may hold escapes a JSON library would not write, such as an unpaired surrogate).
     */
    static String tokenWithSubjectJson(String jsonSubject) {
        return tokenWithSubjectValue("\"" + jsonSubject + "\"");
    }

    /** A token whose {@code sub} is the JSON value {@code jsonValue} as it is ({@code 123}, {@code "a"}). */
    static String tokenWithSubjectValue(String jsonValue) {
        String claims = issuer.claims("SUBJECT").build().toPayload().toString()
                .replace("\"sub\":\"SUBJECT\"", "\"sub\":" + jsonValue);
        assertThat(claims).contains(jsonValue);
        try {
            JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                    new Payload(claims));
            jws.sign(new RSASSASigner(key));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\u0000b\\nX", "tab\\there", "del\\u007F", "half-\\ud800-pair", "", "   ", "LONG"})
    void aSignedTokenWhoseSubjectCouldNotBeRecordedIs401NeverA500NorA403(String jsonSubject) {
        String subject = jsonSubject.equals("LONG") ? "x".repeat(513) : jsonSubject;
        HttpClient client = clientFrom("127.0.0.2");

        HttpResponse<String> write = getFrom(client, "/api/v1/audit/remediation", tokenWithSubjectJson(subject));

        problem(write, 401, "unauthenticated");
        assertThat(write.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("invalid_token"));
    }

    @Test
    void aWriteWithATokenWithoutSubjectOrWithANulInItIs401() {
        HttpClient client = clientFrom("127.0.0.2");
        // RFC 7519: sub is a string; 123 is not the subject "123"
        for (String token : List.of(issuer.token(key, null, c -> c), tokenWithSubjectJson("a\\u0000b\\nX"),
                tokenWithSubjectValue("123"), tokenWithSubjectValue("[\"a\"]"))) {
            HttpRequest.Builder request = HttpRequest.newBuilder(service.api("/api/v1/audit/remediation"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(validRecord("remediation", "nul-" + UUID.randomUUID())));
            try {
                problem(client.send(request.build(), HttpResponse.BodyHandlers.ofString()), 401, "unauthenticated");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        // The longest ServiceAccount user name Kubernetes allows is a subject like any other.
        String longest = "system:serviceaccount:" + "n".repeat(63) + ":" + "s".repeat(253);
        assertThat(problem(getFrom(client, "/api/v1/audit", token(longest)), 403, "forbidden").path("action").asString())
                .isEqualTo("read");
    }

    @Test
    void refusedTokensEmptyTheirAddressBucketThen429ComesBeforeAnyTokenIsCheckedAndOpenPathsStayOpen() {
        HttpClient flooder = clientFrom("127.0.0.3");
        String bad = token(READER) + "tampered";
        HttpResponse<String> limited = null;
        for (int i = 0; i < BURST * 2 && limited == null; i++) {
            HttpResponse<String> answer = getFrom(flooder, "/api/v1/audit/remediation", bad);
            if (answer.statusCode() == 429) {
                limited = answer;
            } else {
                problem(answer, 401, "unauthenticated");
            }
        }
        assertThat(limited).as("a 429 within twice the burst of refused tokens at 1 request/s").isNotNull();
        problem(limited, 429, "rate-limited");
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
                assertThat(Long.parseLong(v)).isGreaterThanOrEqualTo(1));
        assertThat(limited.headers().firstValue("WWW-Authenticate")).as("the token was not checked").isEmpty();

        // While the address's bucket is empty even a valid token from it waits (the bucket refills one
        // request a second, so the bucket is emptied again right before each try).
        HttpResponse<String> valid = null;
        for (int round = 0; round < 5 && (valid == null || valid.statusCode() != 429); round++) {
            for (int i = 0; i < BURST && getFrom(flooder, "/api/v1/audit/remediation", bad).statusCode() != 429; i++) {
                // empty it again
            }
            valid = getFrom(flooder, "/api/v1/audit/remediation", token(READER));
        }
        problem(valid, 429, "rate-limited");

        // The open paths are never limited, and other addresses are not slowed.
        for (String open : List.of("/healthz", "/readyz", "/api/v1/openapi.yaml")) {
            assertThat(getFrom(flooder, open, null).statusCode()).as(open).isEqualTo(200);
        }
        assertThat(getFrom(clientFrom("127.0.0.4"), "/api/v1/audit/remediation", token(READER)).statusCode())
                .isEqualTo(200);
    }

    @Test
    void theOpenPathsAreNeverRateLimited() {
        HttpClient probe = clientFrom("127.0.0.5");
        for (int i = 0; i < BURST * 2; i++) {
            assertThat(getFrom(probe, i % 2 == 0 ? "/healthz" : "/readyz", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aPercentEncodedPathIsAuthorizedAsTheEndpointItReaches() {
        String reader = token(READER);
        assertThat(problem(get("/api/v1/%61dmin/reconcile", reader), 403, "forbidden").path("action").asString())
                .isEqualTo("admin");
        assertThat(problem(post("/api/v1/audit/rem%65diation", validRecord("remediation", "e"), reader), 403,
                "forbidden").path("action").asString()).isEqualTo("write:remediation");
        assertThat(get("/%68ealthz", null).statusCode()).isEqualTo(200);
        problem(get("/api/v1/%61udit", null), 401, "unauthenticated");
    }

    @Test
    void aPathTheFirewallRefusesIsA400Problem() {
        HttpResponse<String> answer = get("/api/v1/audit;jsessionid=x", token(READER));
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }
}
