package io.datastorage.server.input;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.datastorage.server.input.Api.analysis;
import static io.datastorage.server.input.Api.fieldsOf;
import static io.datastorage.server.input.Api.q;
import static io.datastorage.server.input.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, kind 2: a date-time is strict RFC 3339 with 0..9 fractional digits, the text is kept
 * verbatim, and one value, the instant truncated to the microsecond, is the column, the month
 * partition, the order, and what {@code since}/{@code until} compare with, in the listing and in
 * the search alike.
 */
class TimeInputTest {
    private static final String AIANALYSIS = "/api/v1/audit/aianalysis";
    private final Api api = new Api();

    /** The example: 500 before (the partition came from the nanoseconds, the driver rounded into August). */
    @Test
    void aTimeWithSevenFractionalDigitsIsFiledInItsOwnMonthAndFoundByItsOwnText() {
        assertFiledAndFound("2013-07-31T23:59:59.9999999Z", unique("time"));
    }

    @Test
    void neighboursWithinOneMicrosecondShareTheValueAndAreOrderedById() {
        String namespace = unique("order");
        String first = api.created(AIANALYSIS, analysis(namespace, "2020-05-05T10:00:00.0000019Z", "")).get("id").asString();
        String second = api.created(AIANALYSIS, analysis(namespace, "2020-05-05T10:00:00.0000011Z", "")).get("id").asString();
        String later = api.created(AIANALYSIS, analysis(namespace, "2020-05-05T10:00:00.000002Z", "")).get("id").asString();

        List<String> listed = api.list("namespace=" + q(namespace)).stream().map(r -> r.get("id").asString()).toList();

        assertThat(listed).containsExactly(later, second, first); // ids are UUIDv7: the second write has the greater id
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-20T10:00:00+05", "2026-11-20T10:00:00+05:45:30", "2026-11-20T10:00Z",
            "2026-11-20T10:00:00.Z", "2026-11-20T10:00:00.1234567891Z", "2016-12-31T23:59:60Z", "2026-11-20T10:00:00",
            "2026-11-20 10:00:00Z", "2026-11-20T10:00:00+0100", "2026-02-30T10:00:00Z"})
    void everyEndpointRefusesWhatIsNotStrictRfc3339(String text) {
        assertThat(fieldsOf(api.post(AIANALYSIS, analysis(unique("bad"), text, "")))).containsExactly("createdAt");
        assertThat(fieldsOf(api.post(AIANALYSIS + "/batch", "[" + analysis(unique("bad"), "2026-11-20T10:00:00Z",
                "\"startedAt\":\"" + text + "\"") + "]"))).containsExactly("[0].startedAt");
        assertThat(fieldsOf(api.service.get("/api/v1/audit?since=" + q(text)))).containsExactly("since");
        assertThat(fieldsOf(api.service.get("/api/v1/audit/aianalysis?until=" + q(text)))).containsExactly("until");
        assertThat(fieldsOf(api.post("/api/v1/audit/search", "{\"query\":\"x\",\"since\":\"" + text + "\"}")))
                .containsExactly("since");
    }

    /**
     * Any instant near a month or year edge, written with 0..9 fractional digits and an offset
     * from -12:00 to +14:00: 201, the text reads back verbatim, the column and the partition hold
     * the truncated instant, and the listing and the search select it with its own text as
     * {@code since} and leave it out with it as {@code until}.
     */
    @Property(tries = 20)
    void everyWellFormedTimeIsStoredAsItsTruncatedInstantAndSelectedByIt(
            @ForAll("edges") Instant edge, @ForAll @IntRange(min = -2_000_000, max = 2_000_000) int nanosAround,
            @ForAll @IntRange(min = 0, max = 9) int digits, @ForAll("offsets") ZoneOffset offset) {
        Instant exact = edge.plusNanos((long) nanosAround * 1000 + nanosAround % 1000);
        exact = exact.minusNanos(exact.getNano() % (long) Math.pow(10, 9 - digits));
        String pattern = "uuuu-MM-dd'T'HH:mm:ss" + (digits == 0 ? "" : "." + "S".repeat(digits)) + "xxx";

        assertFiledAndFound(OffsetDateTime.ofInstant(exact, offset).format(DateTimeFormatter.ofPattern(pattern)),
                unique("edge"));
    }

    @Provide
    Arbitrary<Instant> edges() {
        return Arbitraries.integers().between(1971, 2025).flatMap(year -> Arbitraries.integers().between(1, 12)
                .map(month -> OffsetDateTime.of(year, month, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant()));
    }

    @Provide
    Arbitrary<ZoneOffset> offsets() {
        return Arbitraries.integers().between(-12 * 4, 14 * 4).map(quarters -> ZoneOffset.ofTotalSeconds(quarters * 900));
    }

    private void assertFiledAndFound(String text, String namespace) {
        Instant micros = OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MICROS);
        JsonNode receipt = api.created(AIANALYSIS, analysis(namespace, text, ""));
        String id = receipt.get("id").asString();

        assertThat(receipt.get("createdAt").asString()).isEqualTo(text);
        assertThat(api.get("aianalysis", id).get("createdAt").asString()).isEqualTo(text);
        Map<String, Object> row = api.jdbc.queryForMap(
                "SELECT created_at, tableoid::regclass::text AS partition FROM audit_records WHERE id = ?::uuid", id);
        assertThat(((Timestamp) row.get("created_at")).toInstant()).as(text).isEqualTo(micros);
        OffsetDateTime utc = micros.atOffset(ZoneOffset.UTC);
        assertThat(row.get("partition")).isEqualTo(String.format("audit_records_y%04dm%02d", utc.getYear(), utc.getMonthValue()));

        String ns = "namespace=" + q(namespace);
        assertThat(api.list(ns + "&since=" + q(text))).as("since its own text").hasSize(1);
        assertThat(api.list(ns + "&until=" + q(text))).as("until its own text").isEmpty();
        assertThat(api.list(ns + "&since=" + q(micros.toString()) + "&until=" + q(micros.plusNanos(1000).toString())))
                .as("the microsecond it is filed under").hasSize(1);
        assertThat(api.searchedRecord(namespace, id).get("createdAt").asString()).isEqualTo(text);
        HttpResponse<String> until = api.post("/api/v1/audit/search", "{\"query\":\"memory leak in the cache\",\"namespace\":\""
                + namespace + "\",\"until\":\"" + text + "\"}");
        assertThat(until.statusCode()).isEqualTo(200);
        assertThat(Api.json(until).get("results")).as("search until its own text").isEmpty();
    }
}
