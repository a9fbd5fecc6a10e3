package io.datastorage.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, kind 10: the README's curl examples run as written, in order, against a fresh
 * service (its ports in place of 8080 and 9090), and answer what the README says: the status
 * in the comment after a command (else a 2xx), and every field of a JSON answer shown there.
 * {@code <id>} stands for the id of the record the README created, {@code <nextCursor>} for the
 * {@code nextCursor} of the same listing's first page. The search example must find that record.
 */
class ReadmeCurlTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Pattern STATUS = Pattern.compile("^(\\d{3})\\b");
    static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.start(RunningService.newDataDir());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void everyCurlExampleOfTheReadmeAnswersWhatTheReadmeSays() {
        List<ReadmeExamples.Curl> curls = ReadmeExamples.curls();
        assertThat(curls).hasSizeGreaterThan(5);
        String id = null;
        List<String> checked = new ArrayList<>();
        for (ReadmeExamples.Curl curl : curls) {
            assertThat(curl.url()).as(curl.toString()).doesNotContain("…");
            assertThat(curl.body() == null ? "" : curl.body()).as(curl.toString()).doesNotContain("…");
            String url = curl.url().replace("<id>", String.valueOf(id));
            if (url.contains("<nextCursor>")) {
                url = url.replace("<nextCursor>", firstPageCursor(url));
            }
            HttpResponse<String> answer = send(curl, url);

            String comment = curl.comment() == null ? "" : curl.comment();
            Matcher status = STATUS.matcher(comment);
            if (status.find()) {
                assertThat(answer.statusCode()).as(curl + " -> " + answer.body()).isEqualTo(Integer.parseInt(status.group(1)));
            } else {
                assertThat(answer.statusCode()).as(curl + " -> " + answer.body()).isBetween(200, 299);
            }
            if (id == null && curl.method().equals("POST") && answer.statusCode() == 201) {
                id = JSON.readTree(answer.body()).get("id").asString();
                // a second record of the same correlation id, so that the cursor example has a next page
                HttpResponse<String> second = service.postJson(curl.path(), curl.body().replace("rr-api-oom", "rr-api-oom-2"));
                assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
            }
            JsonNode shown = jsonIn(comment.replace("<id>", String.valueOf(id)));
            if (shown != null && shown.isObject()) {
                JsonNode actual = JSON.readTree(answer.body());
                assertThat(names(actual)).as("fields of " + curl.url()).isEqualTo(names(shown));
                shown.properties().forEach(field -> {
                    if (!field.getValue().toString().contains("…")) {
                        assertThat(actual.get(field.getKey())).as(field.getKey()).isEqualTo(field.getValue());
                    }
                });
            }
            if (curl.path().equals("/api/v1/audit/search")) {
                String found = id;
                assertThat(JSON.readTree(answer.body()).get("results").valueStream()
                        .map(r -> r.get("record").get("id").asString()))
                        .as("the search example finds the record created above it: " + answer.body()).contains(found);
            }
            checked.add(curl.method() + " " + curl.path());
        }
        assertThat(checked).contains("POST /api/v1/audit/remediation", "POST /api/v1/audit/search");
    }

    private HttpResponse<String> send(ReadmeExamples.Curl curl, String url) {
        String target = url.replace("localhost:8080", "127.0.0.1:" + service.api("/").getPort())
                .replace("localhost:9090", "127.0.0.1:" + service.management("/").getPort());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.startsWith("http") ? target : "http://" + target));
        curl.headers().forEach(h -> request.header(h.substring(0, h.indexOf(':')).strip(), h.substring(h.indexOf(':') + 1).strip()));
        if (curl.body() != null) {
            if (curl.header("Content-Type") == null) {
                request.header("Content-Type", "application/x-www-form-urlencoded"); // what curl -d sends
            }
            request.method(curl.method(), HttpRequest.BodyPublishers.ofString(curl.body()));
        } else {
            request.method(curl.method(), HttpRequest.BodyPublishers.noBody());
        }
        return service.send(request);
    }

    /** The cursor of the first page of the same listing, one record a page (the README says the limit may change). */
    private String firstPageCursor(String url) {
        String first = url.replaceAll("&cursor=<nextCursor>", "").replaceAll("limit=\\d+", "limit=1")
                .replace("localhost:8080", "127.0.0.1:" + service.api("/").getPort());
        JsonNode page = JSON.readTree(service.get(URI.create("http://" + first)).body());
        assertThat(page.get("nextCursor").isString()).as("a next page for " + url + ": " + page).isTrue();
        return page.get("nextCursor").asString();
    }

    private static JsonNode jsonIn(String comment) {
        int start = comment.indexOf('{');
        int end = comment.lastIndexOf('}');
        if (start < 0 || end < start) {
            return null;
        }
        try {
            return JSON.readTree(comment.substring(start, end + 1));
        } catch (JacksonException e) {
            return null; // an abridged answer ("…" outside strings) shows its shape only
        }
    }

    private static Set<String> names(JsonNode node) {
        return new HashSet<>(node.propertyNames());
    }
}
