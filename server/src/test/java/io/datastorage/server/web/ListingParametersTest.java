package io.datastorage.server.web;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The listing's parameter parser and its cursor, without a server. */
class ListingParametersTest {
    private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    private static final AuditPosition POSITION = new AuditPosition(Instant.parse("2026-11-20T10:00:00.123456Z"),
            UUID.fromString("019a8f3e-1111-7222-8333-444455556666"));

    private static Map<String, String[]> params(String... pairs) {
        Map<String, String[]> params = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            String name = pairs[i];
            String value = pairs[i + 1];
            params.merge(name, new String[]{value}, (a, b) -> {
                String[] both = Arrays.copyOf(a, a.length + 1);
                both[a.length] = b[0];
                return both;
            });
        }
        return params;
    }

    private static List<String> badFields(String kind, Map<String, String[]> params) {
        AuditValidationException e = catchThrowableOfType(AuditValidationException.class,
                () -> ListingParameters.parse(kind, params, NOW));
        assertThat(e).as("rejected").isNotNull();
        return e.errors().stream().map(FieldError::field).toList();
    }

    @Example
    void turnsEveryFilterIntoTheQuery() {
        AuditQuery query = ListingParameters.parse("workflow", params("namespace", "prod", "phase", "Failed",
                "severity", "critical", "correlationId", "c-1", "name", "n", "label", "team=pay=ments", "label", "tier=",
                "since", "7d", "until", "2026-11-20T11:00:00+01:00", "limit", "5", "includeTotal", "true"), NOW).query();

        assertThat(query.kinds()).containsExactly(AuditKind.WORKFLOW);
        assertThat(query.labels()).containsExactly(Map.entry("team", "pay=ments"), Map.entry("tier", ""));
        assertThat(query.since()).isEqualTo(NOW.minus(Duration.ofDays(7)));
        assertThat(query.until()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
        assertThat(query.limit()).isEqualTo(5);
        assertThat(query.includeTotal()).isTrue();
        assertThat(query.after()).isNull();
        assertThat(ListingParameters.parse(null, Map.of(), NOW).query().allKinds()).isTrue();
        assertThat(ListingParameters.parse(null, Map.of(), NOW).query().limit()).isEqualTo(100);
    }

    @Example
    void namesEveryBadParameterAtOnce() {
        assertThat(badFields("incident", params("limit", "0", "since", "soon", "until", "2026-02-30T00:00:00Z",
                "label", "team", "phase", "Done", "severity", "high", "includeTotal", "1", "colour", "red",
                "namespace", " ", "name", "x".repeat(256), "cursor", "###")))
                .containsExactlyInAnyOrder("kind", "colour", "limit", "since", "until", "label", "phase", "severity",
                        "includeTotal", "namespace", "name", "cursor");
        assertThat(badFields(null, params("since", "1h", "until", "2h"))).containsExactly("since");
        assertThat(badFields(null, params("limit", "1", "limit", "2"))).containsExactly("limit");
        assertThat(badFields(null, params("label", "team=a", "label", "team=b"))).containsExactly("label");
        assertThat(badFields(null, params("label", "=x"))).containsExactly("label");
        assertThat(badFields(null, params("since", "999999999d"))).containsExactly("since");
    }

    @Example
    void hintsAtTheEncodingOfPlusWhenAnOffsetArrivesAsASpace() {
        AuditValidationException e = catchThrowableOfType(AuditValidationException.class,
                () -> ListingParameters.parse(null, params("since", "2026-11-20T10:00:00 01:00"), NOW));

        assertThat(e.errors().getFirst().message()).contains("%2B");
    }

    @Example
    void keepsTheWindowOfTheFirstPageForEveryLaterPage() {
        ListingParameters.Listing first = ListingParameters.parse(null, params("since", "24h", "namespace", "prod"), NOW);
        String cursor = first.nextCursor(POSITION);

        AuditQuery later = ListingParameters.parse(null, params("since", "24h", "namespace", "prod", "cursor", cursor),
                NOW.plus(Duration.ofHours(3))).query();

        assertThat(later.since()).isEqualTo(NOW.minus(Duration.ofHours(24)));
        assertThat(later.after()).isEqualTo(POSITION);
        assertThat(ListingParameters.parse(null, params("since", "1440m", "namespace", "prod", "limit", "7",
                "cursor", cursor), NOW).query().after()).as("same filters written otherwise, another limit").isEqualTo(POSITION);
        assertThat(badFields(null, params("since", "24h", "cursor", cursor))).containsExactly("cursor");
        assertThat(badFields(null, params("since", "25h", "namespace", "prod", "cursor", cursor))).containsExactly("cursor");
        assertThat(badFields("workflow", params("since", "24h", "namespace", "prod", "cursor", cursor)))
                .containsExactly("cursor");
    }

    @Example
    void roundTripsACursor() throws Exception {
        ListingCursor cursor = new ListingCursor(POSITION, NOW.minusSeconds(5), null, 42L);

        assertThat(ListingCursor.decode(cursor.encode())).isEqualTo(cursor);
        assertThat(cursor.encode()).matches("[A-Za-z0-9_-]+").hasSizeLessThan(ListingCursor.MAX_TEXT_LENGTH);
    }

    @Property(tries = 300)
    void detectsAnyChangedOrTruncatedCursor(@ForAll @IntRange(min = 0, max = 200) int at, @ForAll("base64url") char with,
                                            @ForAll boolean truncate) throws Exception {
        ListingCursor cursor = new ListingCursor(POSITION, NOW.minusSeconds(5), NOW, 42L);
        String text = cursor.encode();
        int i = at % text.length();
        String changed = truncate ? text.substring(0, i) : text.substring(0, i) + with + text.substring(i + 1);

        if (changed.equals(text)) {
            assertThat(ListingCursor.decode(changed)).isEqualTo(cursor);
            return;
        }
        try {
            // The last character carries bits base64 drops: a change there may decode to the same bytes.
            assertThat(ListingCursor.decode(changed)).isEqualTo(cursor);
            assertThat(i).isEqualTo(text.length() - 1);
        } catch (ListingCursor.InvalidCursorException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<Character> base64url() {
        return Arbitraries.chars().range('A', 'Z').range('a', 'z').numeric().with('-', '_');
    }

    @Property(tries = 1000)
    void anyInputIsAQueryOrAValidationErrorNeverAnotherFailure(@ForAll("names") List<String> names,
                                                               @ForAll("values") List<String> values,
                                                               @ForAll("kinds") String kind) {
        Map<String, String[]> params = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            params.put(names.get(i), new String[]{values.isEmpty() ? "" : values.get(i % values.size())});
        }
        try {
            ListingParameters.Listing listing = ListingParameters.parse(kind, params, NOW);
            assertThat(listing.query().limit()).isBetween(1, AuditQuery.MAX_LIMIT);
        } catch (AuditValidationException e) {
            assertThat(e.errors()).isNotEmpty().hasSizeLessThanOrEqualTo(100);
            e.errors().forEach(error -> assertThat(error.message()).hasSizeLessThan(2000));
        }
    }

    @Provide
    Arbitrary<List<String>> names() {
        return Arbitraries.oneOf(Arbitraries.of(ListingParameters.ALLOWED), Arbitraries.strings().ofMaxLength(80))
                .list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<String>> values() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(300),
                Arbitraries.of("0", "1", "1000", "1001", "-1", "99999999999", "true", "false", "30m", "24h", "7d",
                        "0s", "999999999d", "2026-11-20T10:00:00Z", "2026-11-20t10:00:00z", "+999999999-12-31T23:59:59Z",
                        "1969-12-31T23:59:59Z", "team=payments", "=", "a==b", "\u0000", "\ud800", "Failed", "critical",
                        "AAAA", "x".repeat(2000)),
                Arbitraries.create(() -> new ListingCursor(POSITION, null, null, 1L).encode()))
                .list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<String> kinds() {
        return Arbitraries.of("remediation", "workflow", "incident", "").injectNull(0.25);
    }

    @Example
    void echoesClientTextShortAndWritable() {
        assertThat(ListingParameters.echo("x".repeat(63) + "\uD83D\uDE80" + "y".repeat(10))).endsWith("\uD83D\uDE80…");
        assertThat(ListingParameters.echo("a\ud800b")).isEqualTo("a\uFFFDb");
        assertThatThrownBy(() -> ListingParameters.parse(null, params("label", "\ud800"), NOW))
                .isInstanceOf(AuditValidationException.class);
    }
}
