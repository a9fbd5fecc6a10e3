package io.datastorage.server;

import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mode tokenreview end to end: the service asks a Kubernetes API server who a token belongs to
 * (TokenReview, with our audience) and whether that subject may take the request's action
 * (SubjectAccessReview on {@code audits.datastorage.io}). No real API server can be installed where
 * these tests run, so fabric8's Kubernetes mock server in expectations mode stands in for one: it
 * answers each review from the request's body the way an API server with the RBAC below would.
 * The auth-kubernetes module's own tests cover the reviews' caching bounds and collapsing.
 */
@ExtendWith(OutputCaptureExtension.class)
class TokenReviewModeTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String WRITER = "system:serviceaccount:apps:writer";
    static final String OPS = "system:serviceaccount:ops:admin";
    static final String WRITER_TOKEN = "writer-token-5d1c";
    static final String OPS_TOKEN = "ops-token-88aa";
    static final String API_SERVER_TOKEN = "api-server-audience-token-41ef";
    static final String FAILING_TOKEN = "token-whose-review-fails-0b2d";
    /** Authenticated as a user whose name holds NUL and a line break: it could not be stored as recordedBy. */
    static final String NUL_USER_TOKEN = "token-of-a-nul-user-93c1";

    static KubernetesMockServer apiServer;
    static RunningService service;

    @BeforeAll
    static void start() {
        apiServer = new KubernetesMockServer(false);
        apiServer.init();
        apiServer.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(answer(TokenReviewModeTest::tokenReview)).always();
        apiServer.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews")
                .andReply(answer(TokenReviewModeTest::accessReview)).always();
        service = RunningService.start(RunningService.newDataDir(),
                "--datastorage.auth.mode=tokenreview",
                "--datastorage.auth.kubernetes.api-url=http://localhost:" + apiServer.getPort());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        apiServer.destroy();
    }

    /** The API server's TokenReview: each test token is someone's, for our audience or not; one review fails. */
    static Reply tokenReview(String body) {
        if (body.contains(FAILING_TOKEN)) {
            return new Reply(500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcdserver: request timed out\"}");
        }
        assertThat(body).contains("\"audiences\":[\"datastorage\"]");
        String user = body.contains(WRITER_TOKEN) ? WRITER : body.contains(OPS_TOKEN) ? OPS
                : body.contains(API_SERVER_TOKEN) ? WRITER : body.contains(NUL_USER_TOKEN) ? "a\u0000b\nX" : null;
        List<String> audiences = body.contains(API_SERVER_TOKEN) ? List.of("https://kubernetes.default.svc") : List.of("datastorage");
        Object review = user == null
                ? new TokenReviewBuilder().withNewStatus().withAuthenticated(false).withError("invalid bearer token").endStatus().build()
                : new TokenReviewBuilder().withNewStatus().withAuthenticated(true).withAudiences(audiences)
                        .withNewUser().withUsername(user).withGroups("system:serviceaccounts", "system:authenticated")
                        .endUser().endStatus().build();
        return new Reply(200, JSON.writeValueAsString(review));
    }

    /** RBAC as a ClusterRole would grant it: the writer creates remediation records and reads; ops may do anything. */
    static Reply accessReview(String body) {
        JsonNode attributes = JSON.readTree(body).path("spec").path("resourceAttributes");
        String user = JSON.readTree(body).path("spec").path("user").asString();
        assertThat(attributes.path("group").asString()).isEqualTo("datastorage.io");
        assertThat(attributes.path("resource").asString()).isEqualTo("audits");
        String verb = attributes.path("verb").asString();
        String subresource = attributes.path("subresource").asString("");
        boolean allowed = user.equals(OPS)
                || user.equals(WRITER) && (verb.equals("get") || verb.equals("create") && subresource.equals("remediation"));
        return new Reply(200, JSON.writeValueAsString(new SubjectAccessReviewBuilder()
                .withNewStatus().withAllowed(allowed).withReason(allowed ? "RBAC: allowed" : "").endStatus().build()));
    }

    record Reply(int status, String body) {
    }

    static ResponseProvider<Object> answer(Function<String, Reply> reply) {
        return new ResponseProvider<>() {
            private Headers headers = Headers.builder().add("Content-Type", "application/json").build();

            // A request's body can be read once: the status decides the reply, the body hands it out.
            private final Map<RecordedRequest, Reply> replies = Collections.synchronizedMap(new IdentityHashMap<>());

            @Override
            public int getStatusCode(RecordedRequest request) {
                Reply answer = reply.apply(request.getUtf8Body());
                replies.put(request, answer);
                return answer.status();
            }

            @Override
            public Object getBody(RecordedRequest request) {
                return replies.remove(request).body();
            }

            @Override
            public Headers getHeaders() {
                return headers;
            }

            @Override
            public void setHeaders(Headers headers) {
                this.headers = headers;
            }
        };
    }

    static HttpResponse<String> send(String method, String path, String body, String token, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.api(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
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
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.path("type").asString()).isEqualTo("urn:datastorage:problem:" + type);
        return problem;
    }

    @Test
    void aReviewedTokenWritesWhatItsRolesAllowAndIsRefusedTheRestNamingTheAction() {
        HttpResponse<String> created = send("POST", "/api/v1/audit/remediation",
                validRecord("remediation", "tr-" + UUID.randomUUID()), WRITER_TOKEN);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asString();
        assertThat(send("GET", "/api/v1/audit/remediation/" + id, null, WRITER_TOKEN).statusCode()).isEqualTo(200);

        assertThat(problem(send("POST", "/api/v1/audit/workflow", validRecord("workflow", "tr"), WRITER_TOKEN), 403, "forbidden")
                .path("action").asString()).isEqualTo("write:workflow");
        assertThat(problem(send("POST", "/api/v1/audit/search", "{\"query\":\"disk\"}", WRITER_TOKEN), 403, "forbidden")
                .path("action").asString()).isEqualTo("search");
        assertThat(problem(send("GET", "/api/v1/admin/reconcile", null, WRITER_TOKEN), 403, "forbidden")
                .path("action").asString()).isEqualTo("admin");
        assertThat(send("GET", "/api/v1/admin/reconcile", null, OPS_TOKEN).statusCode()).isNotIn(401, 403);
    }

    @Test
    void anUnknownTokenAndAnApiServerTokenReplayedHereAre401() {
        problem(send("GET", "/api/v1/audit", null, "nobody-knows-this-token"), 401, "unauthenticated");
        problem(send("GET", "/api/v1/audit", null, API_SERVER_TOKEN), 401, "unauthenticated");
        problem(send("GET", "/api/v1/audit", null, null), 401, "unauthenticated");
    }

    @Test
    void aTokenTheApiServerNamesAUserWithANulForIs401NeverA500() {
        problem(send("POST", "/api/v1/audit/remediation", validRecord("remediation", "nul-" + UUID.randomUUID()),
                NUL_USER_TOKEN), 401, "unauthenticated");
    }

    @Test
    void anApiServerThatCannotReviewIs503NeverA401AndTheTokenIsNotEchoed(CapturedOutput output) {
        HttpResponse<String> answer = send("GET", "/api/v1/audit", null, FAILING_TOKEN);

        problem(answer, 503, "auth-unavailable");
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        assertThat(answer.body()).doesNotContain(FAILING_TOKEN);
        assertThat(output.getAll()).doesNotContain(FAILING_TOKEN);
    }

    @Test
    void spoofedIdentityHeadersDoNotMakeTheWriterAnAdmin() {
        problem(send("GET", "/api/v1/admin/reconcile", null, WRITER_TOKEN, "X-Remote-User", OPS,
                "X-Remote-Group", "system:masters", "X-Forwarded-User", OPS), 403, "forbidden");
    }
}
