package io.datastorage.server.input;

import io.datastorage.server.RunningService;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The three read paths of the shared running service, for the input tests of issue 13: a record is
 * read back by id, found by a listing and found by a search, each answer parsed with numbers kept
 * exactly, so a test can say "whatever is accepted reads back identical" about all three.
 */
final class Api {
    static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    final RunningService service = RunningService.shared();
    final JdbcTemplate jdbc = new JdbcTemplate(service.context().getBean(DataSource.class));

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** An aianalysis record in its own namespace, as JSON text with {@code extra} members spliced in. */
    static String analysis(String namespace, String createdAt, String extra) {
        return "{\"name\":\"n\",\"namespace\":" + JSON.writeValueAsString(namespace) + ",\"phase\":\"Completed\","
                + "\"createdAt\":\"" + createdAt + "\",\"correlationId\":\"c\",\"rootCause\":\"memory leak in the cache\""
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        return service.postJson(path, body, headers);
    }

    JsonNode created(String path, String body) {
        HttpResponse<String> response = post(path, body);
        assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(201);
        return json(response);
    }

    JsonNode get(String kind, String id) {
        HttpResponse<String> response = service.get("/api/v1/audit/" + kind + "/" + id);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    /** The items of one listing page. */
    List<JsonNode> list(String query) {
        HttpResponse<String> response = service.get("/api/v1/audit?" + query);
        assertThat(response.statusCode()).as(query + " -> " + response.body()).isEqualTo(200);
        return StreamSupport.stream(json(response).get("items").spliterator(), false).toList();
    }

    /** The records a search in {@code namespace} answers, once the record {@code id} is among them. */
    JsonNode searchedRecord(String namespace, String id) {
        String body = "{\"query\":\"memory leak in the cache\",\"namespace\":" + JSON.writeValueAsString(namespace)
                + ",\"topK\":100}";
        List<JsonNode> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            HttpResponse<String> response = post("/api/v1/audit/search", body);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            found.clear();
            json(response).get("results").forEach(r -> found.add(r.get("record")));
            return found.stream().anyMatch(r -> r.get("id").asString().equals(id));
        });
        return found.stream().filter(r -> r.get("id").asString().equals(id)).findFirst().orElseThrow();
    }

    /** The fields a 400 named. */
    static List<String> fieldsOf(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        json(response).get("errors").forEach(e -> fields.add(e.get("field").asString()));
        return fields;
    }

    static Optional<String> messageFor(HttpResponse<String> response, String field) {
        for (JsonNode error : json(response).get("errors")) {
            if (error.get("field").asString().equals(field)) {
                return Optional.of(error.get("message").asString());
            }
        }
        return Optional.empty();
    }
}
