package io.datastorage.server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filtered listing over real HTTP: filters, relative times, totals, the cursor walk, and a
 * 400 naming the parameter for each kind of bad input. The records live in a namespace of their
 * own, so other test classes writing to the shared service do not disturb the answers.
 */
class ListingTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static RunningService service;
    static String ns;
    /** Name → id and createdAt of the records written, newest first. */
    static final Map<String, String> IDS = new LinkedHashMap<>();
    static final Map<String, Instant> CREATED = new LinkedHashMap<>();

    @BeforeAll
    static void writeRecords() {
        service = RunningService.shared();
        ns = "listing-" + UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        write("remediation", "a", now.minus(Duration.ofMinutes(10)), "Failed", "c-a",
                "\"severity\":\"critical\",\"labels\":{\"team\":\"payments\",\"tier\":\"web\"},");
        write("remediation", "b", now.minus(Duration.ofHours(2)), "Completed", "c-shared",
                "\"severity\":\"warning\",\"labels\":{\"team\":\"payments\"},");
        write("workflow", "c", now.minus(Duration.ofDays(2)), "Completed", "c-shared", "\"labels\":{\"team\":\"search\"},");
        write("execution", "d", now.minus(Duration.ofDays(3)), "Failed", "c-d", "");
        write("aianalysis", "e", now.minus(Duration.ofDays(10)), "Completed", "c-e", "\"labels\":{\"team\":\"payments\"},");
    }

    private static void write(String kind, String name, Instant createdAt, String phase, String correlationId, String extra) {
        String body = validRecord(kind, name)
                .replace("\"namespace\":\"prod\"", "\"namespace\":\"" + ns + "\"")
                .replace("\"phase\":\"Completed\"", "\"phase\":\"" + phase + "\"")
                .replace("\"createdAt\":\"2026-11-20T10:00:00Z\"", "\"createdAt\":\"" + createdAt + "\"")
                .replace("\"correlationId\":\"corr-" + name + "\"", "\"correlationId\":\"" + correlationId + "\"")
                .replaceFirst("\\{", "{" + extra);
        HttpResponse<String> created = service.postJson("/api/v1/audit/" + kind, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        IDS.put(name, json(created).get("id").asString());
        CREATED.put(name, createdAt);
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** The path with {ns} and {b} (the createdAt of b, at +01:00) filled in. */
    private static String path(String template) {
        String b = CREATED.get("b").atOffset(ZoneOffset.ofHours(1)).toString();
        return template.replace("{ns}", ns).replace("{b}", URLEncoder.encode(b, StandardCharsets.UTF_8));
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("items").forEach(item -> names.add(item.get("name").asString()));
        return names;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /api/v1/audit?namespace={ns}                                             | a b c d e
            /api/v1/audit/remediation?namespace={ns}                                 | a b
            /api/v1/audit?namespace={ns}&phase=Failed                                | a d
            /api/v1/audit?namespace={ns}&severity=critical                           | a
            /api/v1/audit?namespace={ns}&correlationId=c-shared                      | b c
            /api/v1/audit?namespace={ns}&name=c                                      | c
            /api/v1/audit?namespace={ns}&label=team=payments                         | a b e
            /api/v1/audit?namespace={ns}&label=team%3Dpayments&label=tier=web         | a
            /api/v1/audit?namespace={ns}&since=1h                                    | a
            /api/v1/audit?namespace={ns}&since=24h                                   | a b
            /api/v1/audit?namespace={ns}&until=1d                                    | c d e
            /api/v1/audit?namespace={ns}&since=4d&until=1d                           | c d
            /api/v1/audit?namespace={ns}&since={b}                                   | a b
            /api/v1/audit?namespace={ns}&until={b}                                   | c d e
            /api/v1/audit/workflow?namespace={ns}&phase=Completed&label=team=search  | c
            /api/v1/audit/execution?namespace={ns}&label=team=payments               | ''
            """)
    void filtersNewestFirst(String template, String expected) {
        HttpResponse<String> response = service.get(path(template));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode page = json(response);
        assertThat(names(page)).isEqualTo(expected.isEmpty() ? List.of() : Arrays.asList(expected.split(" ")));
        assertThat(page.get("nextCursor").isNull()).isTrue();
        assertThat(page.has("total")).isFalse();
    }

    @Test
    void answersEachItemAsReadByIdAnswersIt() {
        JsonNode page = json(service.get("/api/v1/audit/remediation?namespace=" + ns + "&name=a"));
        JsonNode byId = json(service.get("/api/v1/audit/remediation/" + IDS.get("a")));

        assertThat(page.get("items").get(0)).isEqualTo(byId);
        assertThat(byId.get("embedded").asBoolean()).isTrue();
        assertThat(byId.has("vectorIndexed")).isTrue();
    }

    @Test
    void walksEveryPageWithNextCursorAndCountsTheTotalOnEach() {
        List<String> seen = new ArrayList<>();
        String filters = "/api/v1/audit?namespace=" + ns + "&since=30d&limit=2&includeTotal=true";
        JsonNode page = json(service.get(filters));
        int pages = 1;
        while (true) {
            assertThat(page.get("total").asLong()).isEqualTo(5);
            seen.addAll(names(page));
            if (page.get("nextCursor").isNull()) {
                break;
            }
            page = json(service.get(filters + "&cursor=" + page.get("nextCursor").asString()));
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("a", "b", "c", "d", "e");
    }

    @ParameterizedTest(name = "{0} -> 400 naming {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /api/v1/audit?limit=0                                | limit
            /api/v1/audit?limit=1001                             | limit
            /api/v1/audit?limit=abc                              | limit
            /api/v1/audit?since=yesterday                        | since
            /api/v1/audit?until=2026-13-01T00:00:00Z             | until
            /api/v1/audit?since=2026-11-20T10:00:00+01:00        | since
            /api/v1/audit?since=1d&until=2d                      | since
            /api/v1/audit/incident                               | kind
            /api/v1/audit?cursor=not-a-cursor                    | cursor
            /api/v1/audit?colour=red                             | colour
            /api/v1/audit?label=team                             | label
            /api/v1/audit?phase=Done                             | phase
            /api/v1/audit?includeTotal=yes                       | includeTotal
            /api/v1/audit?namespace=a&namespace=b                | namespace
            /api/v1/audit?namespace=a%00b                        | namespace
            /api/v1/audit?namespace=%ED%A0%80                    | query
            /api/v1/audit/incident?limit=0&since=soon&colour=red | kind limit since colour
            """)
    void rejectsEachBadParameterNamingIt(String path, String fields) {
        HttpResponse<String> response = service.get(path);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.get("type").asString()).isEqualTo("urn:datastorage:problem:validation");
        assertThat(problem.get("errors").valueStream().map(e -> e.get("field").asString()).toList())
                .containsExactlyInAnyOrder(fields.split(" "));
    }

    @Test
    void refusesAnAlteredCursorAndACursorOfOtherFilters() {
        String first = "/api/v1/audit?namespace=" + ns + "&limit=1";
        String cursor = json(service.get(first)).get("nextCursor").asString();
        char[] altered = cursor.toCharArray();
        altered[10] = altered[10] == 'A' ? 'B' : 'A';

        assertThat(service.get(first + "&cursor=" + cursor).statusCode()).isEqualTo(200);
        assertThat(cursorError(first + "&cursor=" + new String(altered))).contains("altered");
        assertThat(cursorError(first + "&cursor=" + cursor.substring(0, cursor.length() - 4))).contains("as received");
        assertThat(cursorError("/api/v1/audit?namespace=prod&limit=1&cursor=" + cursor)).contains("other filters");
        assertThat(cursorError("/api/v1/audit/remediation?namespace=" + ns + "&limit=1&cursor=" + cursor))
                .contains("other filters");
    }

    private static String cursorError(String path) {
        HttpResponse<String> response = service.get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = json(response).get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("cursor");
        return error.get("message").asString();
    }

    @Test
    void countsListingsByOutcome() {
        service.get("/api/v1/audit?namespace=" + ns);
        service.get("/api/v1/audit?limit=0");

        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_query_total\\{[^}]*operation=\"list\",outcome=\"ok\"[^}]*} [1-9]")
                .containsPattern("datastorage_query_total\\{[^}]*operation=\"list\",outcome=\"invalid\"[^}]*} [1-9]")
                .containsPattern("datastorage_query_duration_seconds_count\\{[^}]*operation=\"list\"[^}]*} [1-9]");
    }
}
