package io.datastorage.server.input;

import io.datastorage.server.web.JsonBodies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import static io.datastorage.server.input.Api.json;
import static io.datastorage.server.input.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, kind 4: the idempotency fingerprint is taken over the canonical form of the content
 * (RFC 8785 with null members dropped and numbers by exact value), so the same content replays
 * however it is spelled, and other content with the same key is a 422.
 */
class CanonicalIdempotencyTest {
    private static final String PATH = "/api/v1/audit/aianalysis";
    private static final String BASE = "\"name\":\"n\",\"namespace\":\"idem\",\"phase\":\"Completed\","
            + "\"createdAt\":\"2026-11-20T10:00:00Z\",\"correlationId\":\"c\"";
    private final Api api = new Api();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0.5 then 0.50 (the issue's example)   | {BASE,\"confidence\":0.5}                    | {BASE,\"confidence\":0.50}",
            "absent then null (the issue's example) | {BASE}                                      | {BASE,\"message\":null}",
            "5E-1 then 0.5                          | {BASE,\"confidence\":5E-1}                   | {BASE,\"confidence\":0.5}",
            "0 then 0.000 then -0                   | {BASE,\"confidence\":0}                      | {BASE,\"confidence\":-0.000}",
            "exitCode-like integers 1 then 1.0      | {BASE,\"confidence\":1}                      | {BASE,\"confidence\":1.0}",
            "key order and whitespace               | {BASE,\"model\":\"m\",\"rootCause\":\"r\"}    | { \"rootCause\" : \"r\" ,\"model\":\"m\", BASE }",
            "escapes                                | {BASE,\"model\":\"A/é\"}                      | {BASE,\"model\":\"\\u0041\\/\\u00e9\"}",
            "null labels and null optional fields   | {BASE,\"labels\":{\"a\":\"b\"}}               | {BASE,\"labels\":{\"a\":\"b\"},\"rootCause\":null,\"model\":null}"})
    void theSameContentReplaysHoweverItIsSpelled(String rule, String first, String second) {
        String key = unique("key");

        HttpResponse<String> original = api.post(PATH, first.replace("BASE", BASE), "Idempotency-Key", key);
        HttpResponse<String> retry = api.post(PATH, second.replace("BASE", BASE), "Idempotency-Key", key);

        assertThat(original.statusCode()).as(original.body()).isEqualTo(201);
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(retry).get("id")).isEqualTo(json(original).get("id"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0.5 then 0.51                          | {BASE,\"confidence\":0.5}                    | {BASE,\"confidence\":0.51}",
            "beyond a double's precision            | {BASE,\"confidence\":0.1}                    | {BASE,\"confidence\":0.10000000000000000000001}",
            "absent then empty text                 | {BASE}                                      | {BASE,\"message\":\"\"}",
            "another label value                    | {BASE,\"labels\":{\"a\":\"b\"}}               | {BASE,\"labels\":{\"a\":\"c\"}}"})
    void otherContentWithTheSameKeyIsRefused(String rule, String first, String second) {
        String key = unique("key");

        HttpResponse<String> original = api.post(PATH, first.replace("BASE", BASE), "Idempotency-Key", key);
        HttpResponse<String> retry = api.post(PATH, second.replace("BASE", BASE), "Idempotency-Key", key);

        assertThat(original.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(422);
    }

    @Test
    void aBatchReplaysWithItsRecordsRespelled() {
        String key = unique("key");
        String first = "[{" + BASE + ",\"confidence\":0.5},{" + BASE + "}]";
        String second = "[{\"confidence\":0.500," + BASE + "},{" + BASE + ",\"message\":null}]";

        HttpResponse<String> original = api.post(PATH + "/batch", first, "Idempotency-Key", key);
        HttpResponse<String> retry = api.post(PATH + "/batch", second, "Idempotency-Key", key);

        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
        assertThat(json(retry).get("ids")).isEqualTo(json(original).get("ids"));
    }

    /**
     * Keys live 24 hours: one stored just before the upgrade, with the fingerprint as the earlier
     * version took it, still replays its answer for the same request.
     */
    @Test
    void aKeyStoredWithTheEarlierFingerprintStillReplays() {
        String key = unique("legacy");
        String body = "{" + BASE + ",\"confidence\":0.50}";
        JsonBodies bodies = api.service.context().getBean(JsonBodies.class);
        String legacy = bodies.legacyFingerprint("POST " + PATH, bodies.parse(body.getBytes(StandardCharsets.UTF_8)));
        String id = UUID.randomUUID().toString();
        api.jdbc.update("INSERT INTO idempotency_keys (idempotency_key, fingerprint, receipts, created_at) VALUES (?, ?, ?::jsonb, ?)",
                key, legacy, "[{\"id\":\"" + id + "\",\"kind\":\"aianalysis\",\"correlationId\":\"c\","
                        + "\"createdAt\":\"2026-11-20T10:00:00Z\",\"embedded\":true,\"vectorIndexed\":true}]",
                Timestamp.from(Instant.now()));

        HttpResponse<String> retry = api.post(PATH, body, "Idempotency-Key", key);

        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(retry).get("id").asString()).isEqualTo(id);
    }
}
