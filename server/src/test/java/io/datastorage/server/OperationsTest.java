package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.FieldSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.yaml.snakeyaml.Yaml;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.datastorage.server.RunningService.validRecord;

import static org.assertj.core.api.Assertions.assertThat;

/** Health, metrics and the API description. */
class OperationsTest {
    static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.shared();
    }

    @Test
    void servesLivenessAndReadinessOnTheApiPort() {
        HttpResponse<String> live = service.get("/healthz");
        HttpResponse<String> ready = service.get("/readyz");

        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("\"status\":\"UP\"");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"UP\"");
    }

    /**
     * Actuator's handlers read the Content-Type of every request; a wildcard or unparseable one
     * made them throw, and {@code GET /healthz} with {@code Content-Type: *}{@code /*} was a 500
     * (found by the no-5xx property). A GET carries no body: the header is ignored, on both ports.
     */
    @ParameterizedTest
    @ValueSource(strings = {"*/*", "text/*", "application/*", "nonsense", "application/json; charset=bogus-1"})
    void probesAndMetricsIgnoreAContentTypeNoGetNeeds(String contentType) {
        for (URI uri : List.of(service.api("/healthz"), service.api("/readyz"), service.management("/metrics"),
                service.management("/healthz"))) {
            HttpResponse<String> answer = service.send(HttpRequest.newBuilder(uri).header("Content-Type", contentType).GET());
            assertThat(answer.statusCode()).as("%s with Content-Type %s: %s", uri, contentType, answer.body())
                    .isLessThan(500).isNotEqualTo(415);
        }
    }

    @Test
    void theManagementPortsHealthNamesEachPartAndTheVectorIndexIsOne() {
        HttpResponse<String> health = service.get(service.management("/health"));

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).containsPattern("\"vectorIndex\":\\{\"status\":\"UP\"")
                .containsPattern("\"db\":\\{\"status\":\"UP\"")
                .as("components only: no details on the management port").doesNotContain("detail");
    }

    @Test
    void exposesPrometheusMetricsOnTheManagementPort() {
        service.postJson("/api/v1/audit/workflow", validRecord("workflow", "metrics"));
        service.postJson("/api/v1/audit/workflow", "{\"phase\":\"Nope\",\"whatever\":1}");

        HttpResponse<String> metrics = service.get(service.management("/metrics"));

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("datastorage_write_total\\{[^}]*kind=\"workflow\",outcome=\"created\"[^}]*} [1-9]")
                .containsPattern("datastorage_write_total\\{[^}]*kind=\"workflow\",outcome=\"invalid\"[^}]*} [1-9]")
                .contains("datastorage_write_duration_seconds_bucket")
                .containsPattern("datastorage_validation_failures_total\\{[^}]*field=\"phase\"")
                .containsPattern("datastorage_validation_failures_total\\{[^}]*field=\"unknown_field\"");
        assertThat(service.get("/metrics").statusCode()).as("metrics are not on the API port").isEqualTo(404);
    }

    @Test
    void keepsValidationLabelsBoundedWhateverTheInput() {
        for (int i = 0; i < 20; i++) {
            service.postJson("/api/v1/audit/workflow/batch", "[{\"random-" + i + "\":1,\"labels\":{\"k" + i + "\":1}}]");
        }

        String metrics = service.get(service.management("/metrics")).body();

        assertThat(metrics).doesNotContain("random-").doesNotContain("field=\"[0]").doesNotContain("field=\"labels.k");
    }

    @Test
    void countsRequestLevelErrorsUnderTheirOwnFieldNotAsUnknownFields() {
        service.postJson("/api/v1/audit/incident", validRecord("workflow", "k"));
        service.postJson("/api/v1/audit/workflow", validRecord("workflow", "k"), "Idempotency-Key", "bad key with spaces");

        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_validation_failures_total\\{[^}]*field=\"kind\"[^}]*} [1-9]")
                .containsPattern("datastorage_validation_failures_total\\{[^}]*field=\"idempotency_key\"[^}]*} [1-9]");
    }

    @Test
    void describesEveryEndpointInTheServedOpenApiDocument() {
        HttpResponse<String> response = service.get("/api/v1/openapi.yaml");
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> openapi = new Yaml().load(response.body());
        @SuppressWarnings("unchecked")
        Set<String> documented = ((Map<String, Object>) openapi.get("paths")).keySet();

        RequestMappingHandlerMapping mapping = service.context().getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        Set<String> served = new HashSet<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mapping.getHandlerMethods().entrySet()) {
            if (entry.getValue().getBeanType().getPackageName().startsWith("io.datastorage")) {
                served.addAll(entry.getKey().getPatternValues());
            }
        }

        assertThat(served).isNotEmpty();
        assertThat(documented).containsAll(served).contains("/healthz", "/readyz");
    }

    @Test
    @SuppressWarnings("unchecked")
    void documentsExactlyTheFieldsEachKindAccepts() {
        Map<String, Object> openapi = new Yaml().load(service.get("/api/v1/openapi.yaml").body());
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) openapi.get("components")).get("schemas");
        Set<String> shared = ((Map<String, Object>) ((Map<String, Object>) schemas.get("Shared")).get("properties")).keySet();
        Map<AuditKind, String> names = Map.of(AuditKind.REMEDIATION, "Remediation", AuditKind.AI_ANALYSIS, "AiAnalysis",
                AuditKind.WORKFLOW, "Workflow", AuditKind.EXECUTION, "Execution");

        names.forEach((kind, schema) -> {
            List<Map<String, Object>> allOf = (List<Map<String, Object>>) ((Map<String, Object>) schemas.get(schema)).get("allOf");
            Set<String> documented = new HashSet<>(shared);
            documented.addAll(((Map<String, Object>) allOf.get(1).get("properties")).keySet());
            Set<String> documentedRequired = new HashSet<>((List<String>) ((Map<String, Object>) schemas.get("Shared")).get("required"));
            documentedRequired.addAll((List<String>) allOf.get(1).getOrDefault("required", List.of()));

            assertThat(documented).as(schema).isEqualTo(kind.fields().stream().map(FieldSpec::name).collect(Collectors.toSet()));
            assertThat(documentedRequired).as(schema + " required")
                    .isEqualTo(kind.fields().stream().filter(FieldSpec::required).map(FieldSpec::name).collect(Collectors.toSet()));
        });
    }
}
