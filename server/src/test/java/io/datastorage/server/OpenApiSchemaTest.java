package io.datastorage.server;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.OpenApi31;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Issue 13, kind 8: the OpenAPI description describes the API. Its schemas are checked with a
 * real JSON Schema validator (networknt, OpenAPI 3.1 dialect, formats asserted): the README's
 * examples match them, each record matches exactly its kind's schema, and for every fixture of
 * the tests, valid or invalid, the schema and the running service agree, except where a rule
 * cannot be written in JSON Schema (listed, with the reason).
 */
class OpenApiSchemaTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String BASE = "https://datastorage.invalid/openapi.json";
    static final Map<String, String> KIND_SCHEMAS = Map.of("remediation", "Remediation", "aianalysis", "AiAnalysis",
            "workflow", "Workflow", "execution", "Execution");
    static final String SEARCH_REQUEST = "#/paths/~1api~1v1~1audit~1search/post/requestBody/content/application~1json/schema";
    static final String SEARCH_ANSWER = "#/paths/~1api~1v1~1audit~1search/post/responses/200/content/application~1json/schema";
    static final String WRITE_REQUEST = "#/paths/~1api~1v1~1audit~1{kind}/post/requestBody/content/application~1json/schema";
    static final List<String> KINDS = RunningService.KINDS;
    static SchemaRegistry registry;
    static RunningService service;

    @BeforeAll
    static void load() {
        service = RunningService.shared();
    }

    private static synchronized SchemaRegistry registry() {
        if (registry == null) {
            Object description;
            try (InputStream in = OpenApiSchemaTest.class.getResourceAsStream("/openapi.yaml")) {
                description = new Yaml().load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String document = JSON.writeValueAsString(description);
            registry = SchemaRegistry.withDefaultDialect(OpenApi31.getInstance(), builder -> builder
                    .schemas(Map.of(BASE, document))
                    .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
        }
        return registry;
    }

    /** What is wrong with {@code instance} by the schema at {@code pointer} of openapi.yaml (empty: it matches). */
    static List<Error> validate(String pointer, JsonNode instance) {
        Schema schema = registry().getSchema(SchemaLocation.of(BASE + pointer));
        return schema.validate(instance);
    }

    static List<Error> validateRecord(String kind, String body) {
        return validate("#/components/schemas/" + KIND_SCHEMAS.get(kind), JSON.readTree(body));
    }

    @ParameterizedTest
    @FieldSource("KINDS")
    void aRecordMatchesExactlyTheSchemaOfItsKind(String kind) {
        String body = validRecord(kind, "schema");

        assertThat(validateRecord(kind, body)).isEmpty();
        KIND_SCHEMAS.keySet().stream().filter(other -> !other.equals(kind))
                .forEach(other -> assertThat(validateRecord(other, body)).as(kind + " as " + other).isNotEmpty());
        assertThat(validate(WRITE_REQUEST, JSON.readTree(body))).as("oneOf of the write body").isEmpty();
    }

    @Test
    void theReadmesRequestsMatchTheirSchemas() {
        List<ReadmeExamples.Curl> withBodies = ReadmeExamples.curls().stream().filter(c -> c.body() != null).toList();

        assertThat(withBodies).isNotEmpty();
        for (ReadmeExamples.Curl curl : withBodies) {
            String path = curl.path();
            List<Error> errors;
            if (path.equals("/api/v1/audit/search")) {
                errors = validate(SEARCH_REQUEST, JSON.readTree(curl.body()));
            } else if (path.equals("/api/v1/admin/legal-holds")) {
                errors = validate("#/paths/~1api~1v1~1admin~1legal-holds/post/requestBody/content/application~1json/schema",
                        JSON.readTree(curl.body()));
            } else {
                String kind = path.substring("/api/v1/audit/".length());
                errors = validateRecord(kind, curl.body());
            }
            assertThat(errors).as(curl.toString()).isEmpty();
        }
    }

    @Test
    void theReadmesJsonAnswersMatchTheirSchemas() {
        List<ReadmeExamples.Block> answers = ReadmeExamples.blocks().stream().filter(b -> b.language().equals("json")).toList();

        assertThat(answers).isNotEmpty();
        for (ReadmeExamples.Block answer : answers) {
            JsonNode json = JSON.readTree(answer.text());
            String pointer = json.has("results") ? SEARCH_ANSWER : json.has("broken")
                    ? "#/components/schemas/IntegrityReport" : "#/components/schemas/ReconcileReport";
            assertThat(validate(pointer, json)).as(answer.text()).isEmpty();
        }
    }

    /** Rules of the service that JSON Schema cannot state; the description says them in words. */
    static final Map<String, String> NOT_EXPRESSIBLE = Map.of(
            "exitCode 1.0", "JSON Schema's integer is any number with a zero fraction; the service wants it written without one",
            "exitCode 1e0", "as above",
            "message of 10241 bytes in 3414 characters", "maxLength counts characters; the limit is in UTF-8 bytes",
            "createdAt next year", "at most 5 minutes in the future depends on the clock",
            "completedAt before startedAt", "a comparison between two fields",
            "createdAt in 1969", "a range of instants; format date-time only checks the form",
            "lone surrogate", "JSON Schema sees code points; an unpaired surrogate escape is not one");

    static Stream<Arguments> fixtures() {
        List<Arguments> cases = new ArrayList<>();
        for (String kind : KINDS) {
            cases.add(arguments("valid " + kind, kind, validRecord(kind, "fixture")));
        }
        String execution = validRecord("execution", "fx");
        String ai = validRecord("aianalysis", "fx");
        String workflow = validRecord("workflow", "fx");
        String remediation = validRecord("remediation", "fx");
        cases.addAll(List.of(
                arguments("exitCode max", "execution", execution.replace("\"exitCode\":0", "\"exitCode\":2147483647")),
                arguments("exitCode min", "execution", execution.replace("\"exitCode\":0", "\"exitCode\":-2147483648")),
                arguments("exitCode over 32 bits", "execution", execution.replace("\"exitCode\":0", "\"exitCode\":2147483648")),
                arguments("exitCode 1.5", "execution", execution.replace("\"exitCode\":0", "\"exitCode\":1.5")),
                arguments("exitCode 1.0", "execution", execution.replace("\"exitCode\":0", "\"exitCode\":1.0")),
                arguments("exitCode 1e0", "execution", execution.replace("\"exitCode\":0", "\"exitCode\":1e0")),
                arguments("exitCode string", "execution", execution.replace("\"exitCode\":0", "\"exitCode\":\"0\"")),
                arguments("exitCode null", "execution", execution.replace("\"exitCode\":0", "\"exitCode\":null")),
                arguments("confidence 0", "aianalysis", ai.replace("0.87", "0")),
                arguments("confidence 1", "aianalysis", ai.replace("0.87", "1")),
                arguments("confidence 1.0001", "aianalysis", ai.replace("0.87", "1.0001")),
                arguments("confidence -0.1", "aianalysis", ai.replace("0.87", "-0.1")),
                arguments("label key of 256", "workflow", withLabels(workflow, "{\"" + "k".repeat(256) + "\":\"v\"}")),
                arguments("label key of 257", "workflow", withLabels(workflow, "{\"" + "k".repeat(257) + "\":\"v\"}")),
                arguments("empty label key", "workflow", withLabels(workflow, "{\"\":\"v\"}")),
                arguments("label value of 1024", "workflow", withLabels(workflow, "{\"k\":\"" + "v".repeat(1024) + "\"}")),
                arguments("label value of 1025", "workflow", withLabels(workflow, "{\"k\":\"" + "v".repeat(1025) + "\"}")),
                arguments("64 labels", "workflow", withLabels(workflow, labels(64))),
                arguments("65 labels", "workflow", withLabels(workflow, labels(65))),
                arguments("label value a number", "workflow", withLabels(workflow, "{\"k\":1}")),
                arguments("labels null", "workflow", withLabels(workflow, "null")),
                arguments("name of 255", "workflow", workflow.replace("\"name\":\"fx\"", "\"name\":\"" + "n".repeat(255) + "\"")),
                arguments("name of 256", "workflow", workflow.replace("\"name\":\"fx\"", "\"name\":\"" + "n".repeat(256) + "\"")),
                arguments("name of 255 astral characters", "workflow", workflow.replace("\"name\":\"fx\"", "\"name\":\"" + "\uD83D\uDE80".repeat(255) + "\"")),
                arguments("blank name", "workflow", workflow.replace("\"name\":\"fx\"", "\"name\":\"  \"")),
                arguments("name with NUL", "workflow", workflow.replace("\"name\":\"fx\"", "\"name\":\"a\\u0000b\"")),
                arguments("lone surrogate", "workflow", workflow.replace("\"name\":\"fx\"", "\"name\":\"a\\ud800b\"")),
                arguments("name null", "workflow", workflow.replace("\"name\":\"fx\"", "\"name\":null")),
                arguments("message null", "workflow", workflow.replace("{", "{\"message\":null,")),
                arguments("message empty", "workflow", workflow.replace("{", "{\"message\":\"\",")),
                arguments("message of 10240 bytes", "workflow", workflow.replace("{", "{\"message\":\"" + "m".repeat(10240) + "\",")),
                arguments("message of 10241 characters", "workflow", workflow.replace("{", "{\"message\":\"" + "m".repeat(10241) + "\",")),
                arguments("message of 10241 bytes in 3414 characters", "workflow",
                        workflow.replace("{", "{\"message\":\"" + "€".repeat(3413) + "mm\",")),
                arguments("unknown field", "workflow", workflow.replace("{", "{\"color\":\"red\",")),
                arguments("field of another kind", "workflow", workflow.replace("{", "{\"exitCode\":0,")),
                arguments("severity high", "remediation", remediation.replace("{", "{\"severity\":\"high\",")),
                arguments("severity null", "remediation", remediation.replace("{", "{\"severity\":null,")),
                arguments("phase Done", "workflow", workflow.replace("\"Completed\"", "\"Done\"")),
                arguments("createdAt without offset", "workflow", workflow.replace("10:00:00Z", "10:00:00")),
                arguments("createdAt next year", "workflow", workflow.replace("2026-11-20T10:00:00Z", "2027-11-20T10:00:00Z")),
                arguments("createdAt in 1969", "workflow", workflow.replace("2026-11-20T10:00:00Z", "1969-12-31T23:59:59Z")),
                arguments("completedAt before startedAt", "workflow", workflow.replace("{",
                        "{\"startedAt\":\"2026-11-20T10:00:00Z\",\"completedAt\":\"2026-11-20T09:00:00Z\",")),
                arguments("startedAt null", "workflow", workflow.replace("{", "{\"startedAt\":null,")),
                arguments("an array", "workflow", "[" + workflow + "]"),
                arguments("a string", "workflow", "\"x\"")));
        // the API tests' own bad bodies that are JSON records of a kind
        AuditApiTest.badRequests().map(Arguments::get)
                .filter(a -> a[5].equals("validation") && ((String) a[1]).matches("/api/v1/audit/(remediation|aianalysis|workflow|execution)"))
                .forEach(a -> cases.add(arguments("AuditApiTest: " + a[0], ((String) a[1]).substring("/api/v1/audit/".length()), a[2])));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theSchemaAndTheServiceAgreeOnEveryFixture(String what, String kind, String body) {
        boolean schemaAccepts = validateRecord(kind, body).isEmpty();

        HttpResponse<String> answer = service.postJson("/api/v1/audit/" + kind, body);

        assertThat(answer.statusCode()).as(answer.body()).isIn(201, 400);
        boolean serviceAccepts = answer.statusCode() == 201;
        String inexpressible = NOT_EXPRESSIBLE.keySet().stream().filter(what::endsWith).findFirst().orElse(null);
        if (inexpressible != null) {
            assertThat(schemaAccepts).as(what + ": the schema cannot refuse it (" + NOT_EXPRESSIBLE.get(inexpressible) + ")").isTrue();
            assertThat(serviceAccepts).as(what + ": the service refuses it").isFalse();
        } else {
            assertThat(schemaAccepts).as(what + ": schema errors " + validateRecord(kind, body) + "; service answered " + answer.body())
                    .isEqualTo(serviceAccepts);
        }
    }

    private static String withLabels(String record, String labels) {
        return record.replace("{", "{\"labels\":" + labels + ",");
    }

    private static String labels(int count) {
        return IntStream.range(0, count).mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(",", "{", "}"));
    }
}
