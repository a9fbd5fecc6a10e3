package io.datastorage.server;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, kind 8, as a property: for a valid record with one field set to a random JSON value,
 * the OpenAPI schema of its kind and the running service give the same verdict. The rules JSON
 * Schema cannot state (listed in {@link OpenApiSchemaTest#NOT_EXPRESSIBLE}: time ranges, integral
 * numbers written with a fraction, byte lengths, lone surrogates) are not generated.
 */
class OpenApiAgreementPropertyTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static RunningService service;

    @BeforeContainer
    static void start() {
        service = RunningService.shared();
    }

    @Property(tries = 250)
    void theSchemaAndTheServiceGiveTheSameVerdict(@ForAll("kinds") String kind, @ForAll("fields") String field,
                                                  @ForAll("values") String value) {
        String record = RunningService.validRecord(kind, "agree");
        String body = record.replaceAll(",\"" + Pattern.quote(field) + "\":(\"[^\"]*\"|[^,}]*)", "")
                .replaceAll("\\{\"" + Pattern.quote(field) + "\":(\"[^\"]*\"|[^,}]*),", "{")
                .replaceFirst("\\{", Matcher.quoteReplacement("{\"" + field + "\":" + value + ","));

        boolean schemaAccepts = OpenApiSchemaTest.validateRecord(kind, body).isEmpty();
        HttpResponse<String> answer = service.postJson("/api/v1/audit/" + kind, body);

        assertThat(answer.statusCode()).as(body + " -> " + answer.body()).isIn(201, 400);
        assertThat(schemaAccepts).as(body + ": schema " + OpenApiSchemaTest.validateRecord(kind, body) + ", service " + answer.body())
                .isEqualTo(answer.statusCode() == 201);
    }

    @Provide
    Arbitrary<String> kinds() {
        return Arbitraries.of(RunningService.KINDS);
    }

    @Provide
    Arbitrary<String> fields() {
        return Arbitraries.oneOf(
                Arbitraries.of("name", "namespace", "phase", "correlationId", "message", "labels", "severity", "confidence",
                        "exitCode", "step", "workflowName", "signalName", "signalType", "targetName", "rootCause",
                        "recommendedAction", "model", "action"),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8));
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "[]", "{}", "0", "1", "-1", "0.5", "1.5", "-0.25", "2147483647",
                        "2147483648", "-2147483648", "-2147483649", "1e308", "123456789012345678901234567890", "\"\"", "\" \"",
                        "\"\\t\"", "\"x\"", "\"\\u0000\"", "\"a\\u0000\"", "\"Pending\"", "\"Failed\"", "\"critical\"", "\"info\"",
                        "\"" + "n".repeat(255) + "\"", "\"" + "n".repeat(256) + "\"", "{\"k\":\"v\"}", "{\"k\":1}", "{\"\":\"v\"}",
                        "{\"k\":null}", "[\"a\"]", "{\"" + "k".repeat(257) + "\":\"v\"}"),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(20).map(s -> JSON.writeValueAsString(s)));
    }
}
