package io.datastorage.core.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class AuditValidatorTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final AuditValidator VALIDATOR =
            new AuditValidator(ValidationPolicy.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC));

    static Map<String, Object> valid(AuditKind kind) {
        return AuditFixtures.valid(kind);
    }

    static Map<String, Object> with(AuditKind kind, Consumer<Map<String, Object>> change) {
        Map<String, Object> body = valid(kind);
        change.accept(body);
        return body;
    }

    static List<FieldError> errorsOf(AuditKind kind, Map<String, Object> body) {
        return catchThrowableOfType(AuditValidationException.class, () -> VALIDATOR.validate(kind, body)).errors();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void acceptsAValidRecordOfEachKind(AuditKind kind) {
        AuditDraft draft = VALIDATOR.validate(kind, valid(kind));

        assertThat(draft.kind()).isEqualTo(kind);
        assertThat(draft.document()).isEqualTo(valid(kind));
        assertThat(draft.createdAt()).isEqualTo(Instant.parse("2026-11-20T11:00:00Z"));
        assertThat(draft.phase()).isEqualTo(Phase.Completed);
    }

    static Stream<AuditKind> kinds() {
        return Stream.of(AuditKind.values());
    }

    /** One rule per row: the change made to a valid remediation, the field named, part of the message. */
    static Stream<Arguments> rejected() {
        return Stream.of(
                row("required name missing", b -> b.remove("name"), "name", "is required"),
                row("required name null", b -> b.put("name", null), "name", "is required"),
                row("name blank", b -> b.put("name", "  "), "name", "must not be blank"),
                row("name not a string", b -> b.put("name", 5), "name", "must be a string"),
                row("namespace missing", b -> b.remove("namespace"), "namespace", "is required"),
                row("correlationId missing", b -> b.remove("correlationId"), "correlationId", "is required"),
                row("createdAt missing", b -> b.remove("createdAt"), "createdAt", "is required"),
                row("phase missing", b -> b.remove("phase"), "phase", "is required"),
                row("signalType missing", b -> b.remove("signalType"), "signalType", "is required"),
                row("signalName missing", b -> b.remove("signalName"), "signalName", "is required"),
                row("signalNamespace missing", b -> b.remove("signalNamespace"), "signalNamespace", "is required"),
                row("targetType missing", b -> b.remove("targetType"), "targetType", "is required"),
                row("targetName missing", b -> b.remove("targetName"), "targetName", "is required"),
                row("targetNamespace missing", b -> b.remove("targetNamespace"), "targetNamespace", "is required"),
                row("phase unknown", b -> b.put("phase", "Done"), "phase", "Pending, Processing, Completed, Failed"),
                row("phase wrong case", b -> b.put("phase", "completed"), "phase", "must be one of"),
                row("severity unknown", b -> b.put("severity", "high"), "severity", "info, warning, critical"),
                row("timestamp without offset", b -> b.put("createdAt", "2026-11-20T10:00:00"), "createdAt", "and an offset"),
                row("timestamp garbage", b -> b.put("startedAt", "yesterday"), "startedAt", "RFC 3339"),
                row("timestamp impossible date", b -> b.put("completedAt", "2026-02-30T10:00:00Z"), "completedAt", "RFC 3339"),
                row("timestamp a number", b -> b.put("createdAt", 1700000000), "createdAt", "RFC 3339"),
                row("offset without minutes", b -> b.put("createdAt", "2026-11-20T10:00:00+05"), "createdAt", "RFC 3339"),
                row("offset with seconds", b -> b.put("createdAt", "2026-11-20T10:00:00+05:45:30"), "createdAt", "RFC 3339"),
                row("time without seconds", b -> b.put("startedAt", "2026-11-20T10:00Z"), "startedAt", "RFC 3339"),
                row("empty fraction", b -> b.put("createdAt", "2026-11-20T10:00:00.Z"), "createdAt", "RFC 3339"),
                row("10 fractional digits", b -> b.put("createdAt", "2026-11-20T10:00:00.1234567891Z"), "createdAt",
                        "at most 9 fractional digits"),
                row("leap second", b -> b.put("completedAt", "2016-12-31T23:59:60Z"), "completedAt", "leap second"),
                row("space instead of T", b -> b.put("createdAt", "2026-11-20 10:00:00Z"), "createdAt", "RFC 3339"),
                row("hour 24", b -> b.put("createdAt", "2026-11-20T24:00:00Z"), "createdAt", "RFC 3339"),
                row("non-ASCII digits", b -> b.put("createdAt", "2026-11-20T1\u0660:00:00Z"), "createdAt", "RFC 3339"),
                row("offset beyond 18 hours", b -> b.put("createdAt", "2026-11-20T10:00:00+19:00"), "createdAt", "RFC 3339"),
                row("timestamp before 1970", b -> b.put("startedAt", "1969-12-31T23:59:59Z"), "startedAt", "must lie between"),
                row("createdAt too far ahead", b -> b.put("createdAt", "2026-11-20T12:05:01Z"), "createdAt", "in the future"),
                row("started after completed", b -> {
                    b.put("startedAt", "2026-11-20T10:00:01Z");
                    b.put("completedAt", "2026-11-20T10:00:00Z");
                }, "completedAt", "must not be before startedAt"),
                row("name 256 chars", b -> b.put("name", "n".repeat(256)), "name", "at most 255 characters, was 256"),
                row("namespace 256 chars", b -> b.put("namespace", "n".repeat(256)), "namespace", "at most 255"),
                row("targetName 256 chars", b -> b.put("targetName", "n".repeat(256)), "targetName", "at most 255"),
                row("correlationId 256 chars", b -> b.put("correlationId", "c".repeat(256)), "correlationId", "at most 255"),
                row("256 code points of 4-byte chars", b -> b.put("name", "\uD83D\uDE80".repeat(256)), "name", "was 256"),
                row("message over 10 KiB", b -> b.put("message", "m".repeat(10 * 1024 + 1)), "message", "10240 bytes"),
                row("message over 10 KiB in UTF-8 bytes", b -> b.put("message", "é".repeat(5 * 1024 + 1)), "message", "10240 bytes"),
                row("rootCause over 10 KiB", b -> b.put("rootCause", "r".repeat(10 * 1024 + 1)), "rootCause", "10240 bytes"),
                row("NUL in name", b -> b.put("name", "a\u0000b"), "name", "NUL"),
                row("NUL in message", b -> b.put("message", "\u0000"), "message", "NUL"),
                row("unpaired surrogate", b -> b.put("message", "bad \uD800 text"), "message", "surrogate"),
                row("unknown field", b -> b.put("colour", "red"), "colour", "unknown field"),
                row("field of another kind", b -> b.put("workflowName", "x"), "workflowName", "unknown field"),
                row("labels not an object", b -> b.put("labels", List.of("a")), "labels", "must be an object"),
                row("label value not a string", b -> b.put("labels", Map.of("team", 1)), "labels.team", "must be a string"),
                row("label value null", b -> b.put("labels", mapOf("team", null)), "labels.team", "must be a string"),
                row("65 labels", b -> b.put("labels", labels(65)), "labels", "at most 64 entries"),
                row("label key empty", b -> b.put("labels", Map.of("", "v")), "labels.", "must not be empty"),
                row("label key 257 chars", b -> b.put("labels", Map.of("k".repeat(257), "v")), "labels.kkkk", "at most 256"),
                row("label value 1025 chars", b -> b.put("labels", Map.of("k", "v".repeat(1025))), "labels.k", "at most 1024"),
                row("label key with NUL", b -> b.put("labels", Map.of("a\u0000", "v")), "labels.a\u0000", "NUL"),
                row("label key with =", b -> b.put("labels", Map.of("a=b", "c")), "labels.a=b", "must not contain '='"),
                row("label key only =", b -> b.put("labels", Map.of("=", "c")), "labels.=", "no filter could ever select it"),
                row("label key ending in =", b -> b.put("labels", Map.of("a=", "c")), "labels.a=", "must not contain '='"));
    }

    private static Arguments row(String rule, Consumer<Map<String, Object>> change, String field, String message) {
        return arguments(rule, change, field, message);
    }

    private static Map<String, Object> mapOf(String key, Object value) {
        Map<String, Object> map = new HashMap<>();
        map.put(key, value);
        return map;
    }

    private static Map<String, String> labels(int n) {
        Map<String, String> labels = new LinkedHashMap<>();
        IntStream.range(0, n).forEach(i -> labels.put("k" + i, "v"));
        return labels;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejects(String rule, Consumer<Map<String, Object>> change, String field, String message) {
        List<FieldError> errors = errorsOf(AuditKind.REMEDIATION, with(AuditKind.REMEDIATION, change));

        assertThat(errors).anySatisfy(e -> {
            assertThat(e.field()).startsWith(field);
            assertThat(e.message()).contains(message);
        });
    }

    /** The other side of each boundary in {@link #rejected()}. */
    static Stream<Arguments> accepted() {
        return Stream.of(
                row("name 255 chars", b -> b.put("name", "n".repeat(255)), "", ""),
                row("255 code points of 4-byte chars", b -> b.put("name", "\uD83D\uDE80".repeat(255)), "", ""),
                row("identifier 255 chars", b -> b.put("signalNamespace", "s".repeat(255)), "", ""),
                row("message exactly 10 KiB", b -> b.put("message", "m".repeat(10 * 1024)), "", ""),
                row("message empty", b -> b.put("message", ""), "", ""),
                row("64 labels", b -> b.put("labels", labels(64)), "", ""),
                row("label key 256, value 1024", b -> b.put("labels", Map.of("k".repeat(256), "v".repeat(1024))), "", ""),
                row("createdAt exactly 5 minutes ahead", b -> b.put("createdAt", "2026-11-20T12:05:00Z"), "", ""),
                row("createdAt with a positive offset", b -> b.put("createdAt", "2026-11-20T13:04:00+01:00"), "", ""),
                row("fractional seconds", b -> b.put("createdAt", "2026-11-20T11:00:00.123456789Z"), "", ""),
                row("one fractional digit", b -> b.put("createdAt", "2026-11-20T11:00:00.1Z"), "", ""),
                row("lower-case t and z (RFC 3339 5.6)", b -> b.put("createdAt", "2026-11-20t11:00:00z"), "", ""),
                row("offset -00:00", b -> b.put("createdAt", "2026-11-20T11:00:00-00:00"), "", ""),
                row("offset +18:00", b -> b.put("startedAt", "2026-11-20T11:00:00+18:00"), "", ""),
                row("last microsecond of 9999, written in nanoseconds", b -> b.put("startedAt", "9999-12-31T23:59:59.999999999Z"), "", ""),
                row("label value with =", b -> b.put("labels", Map.of("a", "b=c")), "", ""),
                row("label key with & and %", b -> b.put("labels", Map.of("a&b%20c", "v")), "", ""),
                row("started equals completed", b -> {
                    b.put("startedAt", "2026-11-20T10:00:00Z");
                    b.put("completedAt", "2026-11-20T11:00:00+01:00");
                }, "", ""),
                row("optional null means absent", b -> b.put("message", null), "", ""),
                row("every severity", b -> b.put("severity", "critical"), "", ""),
                row("text stored verbatim", b -> b.put("message", "<script>alert(1)</script> '; DROP TABLE x; -- 用户-τεστ"), "", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void accepts(String rule, Consumer<Map<String, Object>> change, String ignored1, String ignored2) {
        Map<String, Object> body = with(AuditKind.REMEDIATION, change);

        AuditDraft draft = VALIDATOR.validate(AuditKind.REMEDIATION, body);

        body.values().removeIf(v -> v == null);
        assertThat(draft.document()).isEqualTo(body);
    }

    @Test
    void reportsEveryViolationAtOnce() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("phase", "Nope");
        body.put("extra", true);

        List<FieldError> errors = errorsOf(AuditKind.REMEDIATION, body);

        assertThat(errors).extracting(FieldError::field).contains("extra", "phase", "name", "namespace",
                "createdAt", "correlationId", "signalType", "signalName", "signalNamespace", "targetType",
                "targetName", "targetNamespace");
    }

    @Test
    void capsTheNumberOfReportedErrors() {
        Map<String, Object> body = valid(AuditKind.REMEDIATION);
        IntStream.range(0, 1000).forEach(i -> body.put("unknown" + i, i));

        List<FieldError> errors = errorsOf(AuditKind.REMEDIATION, body);

        assertThat(errors).hasSize(AuditValidator.MAX_REPORTED_ERRORS + 1);
        assertThat(errors.getLast().message()).isEqualTo("900 more error(s) not listed");
        assertThatThrownBy(() -> VALIDATOR.validate(AuditKind.REMEDIATION, body))
                .isInstanceOfSatisfying(AuditValidationException.class, e -> assertThat(e.count()).isEqualTo(1000))
                .hasMessageStartingWith("1000 invalid field(s)");
    }

    /**
     * Sub-microsecond times: the document keeps the text, every other use takes the instant
     * truncated to the microsecond, so nothing is rounded into the next second, month or year.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "2013-07-31T23:59:59.9999999Z, 2013-07-31T23:59:59.999999Z",
            "2013-07-31T23:59:59.999999999Z, 2013-07-31T23:59:59.999999Z",
            "2013-08-01T01:59:59.9999995+02:00, 2013-07-31T23:59:59.999999Z",
            "2013-12-31T23:59:59.0000001-00:00, 2013-12-31T23:59:59Z",
            "2026-11-20T11:00:00.1234565Z, 2026-11-20T11:00:00.123456Z",
            "2026-11-20T11:00:00Z, 2026-11-20T11:00:00Z"})
    void usesTheInstantTruncatedToTheMicrosecondAndKeepsTheText(String text, String micros) {
        Map<String, Object> body = valid(AuditKind.REMEDIATION);
        body.put("createdAt", text);

        AuditDraft draft = VALIDATOR.validate(AuditKind.REMEDIATION, body);

        assertThat(draft.createdAt()).isEqualTo(Instant.parse(micros));
        assertThat(draft.createdAtText()).isEqualTo(text);
    }

    @Test
    void cutsLongUnknownFieldNamesInErrors() {
        Map<String, Object> body = valid(AuditKind.REMEDIATION);
        body.put("x".repeat(100_000), 1);

        assertThat(errorsOf(AuditKind.REMEDIATION, body).getFirst().field()).hasSize(65);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "0.5", "1.0", "0.000001"})
    void acceptsConfidenceFromZeroToOne(String confidence) {
        Map<String, Object> body = with(AuditKind.AI_ANALYSIS, b -> b.put("confidence", new BigDecimal(confidence)));

        assertThat(VALIDATOR.validate(AuditKind.AI_ANALYSIS, body).document().get("confidence"))
                .isEqualTo(new BigDecimal(confidence));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-0.1", "1.0001", "2"})
    void rejectsConfidenceOutsideZeroToOne(String confidence) {
        assertThat(errorsOf(AuditKind.AI_ANALYSIS, with(AuditKind.AI_ANALYSIS, b -> b.put("confidence", new BigDecimal(confidence)))))
                .singleElement().satisfies(e -> assertThat(e.field()).isEqualTo("confidence"));
        assertThat(errorsOf(AuditKind.AI_ANALYSIS, with(AuditKind.AI_ANALYSIS, b -> b.put("confidence", "0.5"))))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("number"));
    }

    @Test
    void checksExitCodesAreWhole32BitNumbers() {
        assertThat(VALIDATOR.validate(AuditKind.EXECUTION, with(AuditKind.EXECUTION, b -> b.put("exitCode", -2147483648)))
                .document().get("exitCode")).isEqualTo(-2147483648);
        assertThat(errorsOf(AuditKind.EXECUTION, with(AuditKind.EXECUTION, b -> b.put("exitCode", 2147483648L))))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("32 bits"));
        assertThat(errorsOf(AuditKind.EXECUTION, with(AuditKind.EXECUTION, b -> b.put("exitCode", new BigInteger("9".repeat(40))))))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("32 bits"));
        assertThat(errorsOf(AuditKind.EXECUTION, with(AuditKind.EXECUTION, b -> b.put("exitCode", new BigDecimal("1.5")))))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("whole number"));
    }

    @Test
    void requiresEachKindsOwnFields() {
        assertThat(errorsOf(AuditKind.WORKFLOW, with(AuditKind.WORKFLOW, b -> b.remove("step"))))
                .extracting(FieldError::field).containsExactly("step");
        assertThat(errorsOf(AuditKind.EXECUTION, with(AuditKind.EXECUTION, b -> b.remove("action"))))
                .extracting(FieldError::field).containsExactly("action");
    }

    @Test
    void rejectsABodyThatIsNotAnObject() {
        assertThat(catchThrowableOfType(AuditValidationException.class, () -> VALIDATOR.validate(AuditKind.WORKFLOW, List.of())).errors())
                .singleElement().satisfies(e -> assertThat(e.message()).isEqualTo("must be a JSON object"));
        assertThatThrownBy(() -> VALIDATOR.validate(AuditKind.WORKFLOW, null)).isInstanceOf(AuditValidationException.class);
    }

    @Test
    void namesBatchErrorsByIndex() {
        List<Object> batch = new ArrayList<>();
        batch.add(valid(AuditKind.WORKFLOW));
        batch.add(with(AuditKind.WORKFLOW, b -> b.remove("name")));
        batch.add("not an object");

        assertThat(catchThrowableOfType(AuditValidationException.class, () -> VALIDATOR.validateBatch(AuditKind.WORKFLOW, batch)).errors())
                .extracting(FieldError::field).containsExactly("[1].name", "[2]");
    }

    @Test
    void boundsTheBatchSize() {
        List<Object> tooMany = new ArrayList<>();
        IntStream.range(0, 501).forEach(i -> tooMany.add(valid(AuditKind.WORKFLOW)));

        assertThatThrownBy(() -> VALIDATOR.validateBatch(AuditKind.WORKFLOW, List.of()))
                .hasMessageContaining("must hold 1..500 records, held 0");
        assertThatThrownBy(() -> VALIDATOR.validateBatch(AuditKind.WORKFLOW, tooMany))
                .hasMessageContaining("held 501");
        assertThat(VALIDATOR.validateBatch(AuditKind.WORKFLOW, tooMany.subList(0, 500))).hasSize(500);
    }

    @Test
    void keepsFieldsInCanonicalOrder() {
        Map<String, Object> reversed = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(valid(AuditKind.WORKFLOW).keySet());
        for (int i = keys.size() - 1; i >= 0; i--) {
            reversed.put(keys.get(i), valid(AuditKind.WORKFLOW).get(keys.get(i)));
        }

        assertThat(VALIDATOR.validate(AuditKind.WORKFLOW, reversed).document().keySet())
                .containsExactly("correlationId", "name", "namespace", "phase", "createdAt", "workflowName", "step");
    }

    @Test
    void rejectsPolicyValuesOutOfRangeNamingThem() {
        assertThatThrownBy(() -> new ValidationPolicy(Duration.ofHours(2), 500))
                .hasMessage("maxFutureSkew must be 0s..1h, was PT2H");
        assertThatThrownBy(() -> new ValidationPolicy(Duration.ZERO, 0))
                .hasMessage("maxBatchRecords must be 1..10000, was 0");
    }
}
