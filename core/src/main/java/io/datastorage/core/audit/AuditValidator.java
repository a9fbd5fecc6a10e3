package io.datastorage.core.audit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks client input against the schema of an {@link AuditKind} and turns it into
 * {@link AuditDraft}s.
 *
 * <p>Input is the neutral tree a JSON parser produces: {@code Map<String, Object>} for objects
 * (in document order), {@code List} for arrays, {@code String}, {@code Boolean}, {@code null},
 * and {@code Number} ({@code BigDecimal} for fractions, an integral type otherwise). Every
 * violation is collected before failing, so a client learns all of them from one answer; the
 * list is capped at {@value #MAX_REPORTED_ERRORS} entries so that a hostile body cannot make the
 * answer larger than itself.
 *
 * <p>Text is never altered: a value is accepted verbatim or rejected with a reason. The only
 * characters refused are NUL and unpaired surrogates (PostgreSQL cannot store them).
 *
 * <p>Thread-safe; one instance serves all requests.
 */
public final class AuditValidator {
    static final int MAX_REPORTED_ERRORS = FieldErrors.MAX_REPORTED_ERRORS;
    private static final int MAX_ECHOED_NAME_CHARS = 64;

    private final ValidationPolicy policy;
    private final Clock clock;

    public AuditValidator(ValidationPolicy policy, Clock clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ValidationPolicy policy() {
        return policy;
    }

    /** Validates one record. @throws AuditValidationException listing every violation */
    public AuditDraft validate(AuditKind kind, Object body) {
        Errors errors = new Errors();
        AuditDraft draft = validateRecord(kind, body, errors, "");
        errors.throwIfAny();
        return draft;
    }

    /**
     * Validates a batch: a JSON array of 1..{@link ValidationPolicy#maxBatchRecords()} records.
     * Errors of element {@code i} are reported as {@code [i].field}.
     *
     * @return the drafts in input order
     * @throws AuditValidationException listing every violation of every element
     */
    public List<AuditDraft> validateBatch(AuditKind kind, Object body) {
        Errors errors = new Errors();
        if (!(body instanceof List<?> elements)) {
            throw new AuditValidationException(List.of(new FieldError("", "must be a JSON array of records")));
        }
        if (elements.isEmpty() || elements.size() > policy.maxBatchRecords()) {
            throw new AuditValidationException(List.of(new FieldError("",
                    "must hold 1.." + policy.maxBatchRecords() + " records, held " + elements.size())));
        }
        List<AuditDraft> drafts = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            drafts.add(validateRecord(kind, elements.get(i), errors, "[" + i + "]"));
        }
        errors.throwIfAny();
        return drafts;
    }

    private AuditDraft validateRecord(AuditKind kind, Object body, Errors errors, String prefix) {
        if (!(body instanceof Map<?, ?> raw)) {
            errors.add(prefix, "", "must be a JSON object");
            return null;
        }
        int errorsBefore = errors.count();
        Map<String, Object> document = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : raw.entrySet()) {
            String key = String.valueOf(entry.getKey());
            if (kind.field(key).isEmpty()) {
                errors.add(prefix, echo(key), "unknown field; " + kind.pathName() + " accepts: "
                        + String.join(", ", kind.fields().stream().map(FieldSpec::name).toList()));
            }
        }
        Values values = new Values();
        for (FieldSpec spec : kind.fields()) {
            Object value = raw.get(spec.name());
            if (value == null) {
                // Absent and explicit null mean the same: the field is not set.
                if (spec.required()) {
                    errors.add(prefix, spec.name(), "is required");
                }
                continue;
            }
            if (checkValue(spec, value, errors, prefix, values)) {
                document.put(spec.name(), value);
            }
        }
        checkTimeOrder(values, errors, prefix);
        if (errors.count() != errorsBefore) {
            return null;
        }
        return new AuditDraft(kind,
                (String) document.get("correlationId"),
                (String) document.get("name"),
                (String) document.get("namespace"),
                values.phase,
                values.severity,
                values.createdAt,
                values.labels,
                document);
    }

    /** Typed projections gathered while checking one record. */
    private static final class Values {
        Phase phase;
        Severity severity;
        Instant createdAt;
        Instant startedAt;
        Instant completedAt;
        Map<String, String> labels = Map.of();
    }

    private boolean checkValue(FieldSpec spec, Object value, Errors errors, String prefix, Values values) {
        String field = spec.name();
        switch (spec.type()) {
            case IDENTIFIER -> {
                if (!(value instanceof String text)) {
                    errors.add(prefix, field, "must be a string");
                    return false;
                }
                String problem = identifierProblem(text);
                if (problem != null) {
                    errors.add(prefix, field, problem);
                    return false;
                }
                return true;
            }
            case TEXT -> {
                if (!checkString(value, errors, prefix, field, true)) {
                    return false;
                }
                int bytes = ((String) value).getBytes(StandardCharsets.UTF_8).length;
                if (bytes > AuditLimits.MAX_TEXT_BYTES) {
                    errors.add(prefix, field, "must be at most " + AuditLimits.MAX_TEXT_BYTES
                            + " bytes in UTF-8, was " + bytes);
                    return false;
                }
                return true;
            }
            case PHASE -> {
                values.phase = parseEnum(value, Phase::parse, Phase.allowed(), errors, prefix, field);
                return values.phase != null;
            }
            case SEVERITY -> {
                values.severity = parseEnum(value, Severity::parse, Severity.allowed(), errors, prefix, field);
                return values.severity != null;
            }
            case TIMESTAMP -> {
                Instant instant = parseTimestamp(value, errors, prefix, field);
                if (instant == null) {
                    return false;
                }
                switch (field) {
                    case "createdAt" -> {
                        Instant latest = clock.instant().plus(policy.maxFutureSkew());
                        if (instant.isAfter(latest)) {
                            errors.add(prefix, field, "must be at most " + policy.maxFutureSkew().toSeconds()
                                    + "s in the future (the service's clock reads " + clock.instant() + ")");
                            return false;
                        }
                        values.createdAt = instant;
                    }
                    case "startedAt" -> values.startedAt = instant;
                    case "completedAt" -> values.completedAt = instant;
                    default -> throw new IllegalStateException("unexpected timestamp field " + field);
                }
                return true;
            }
            case LABELS -> {
                Map<String, String> labels = checkLabels(value, errors, prefix);
                if (labels == null) {
                    return false;
                }
                values.labels = labels;
                return true;
            }
            case CONFIDENCE -> {
                if (!(value instanceof Number number) || !isFinite(number)) {
                    errors.add(prefix, field, "must be a number from 0 to 1");
                    return false;
                }
                BigDecimal decimal = new BigDecimal(number.toString());
                if (decimal.compareTo(BigDecimal.ZERO) < 0 || decimal.compareTo(BigDecimal.ONE) > 0) {
                    errors.add(prefix, field, "must be from 0 to 1, was " + echo(number.toString()));
                    return false;
                }
                return true;
            }
            case EXIT_CODE -> {
                if (!(value instanceof Integer || value instanceof Long || value instanceof Short
                        || value instanceof Byte || value instanceof BigInteger)) {
                    errors.add(prefix, field, "must be a whole number");
                    return false;
                }
                BigInteger integer = new BigInteger(value.toString());
                if (integer.bitLength() > 31) {
                    errors.add(prefix, field, "must fit in 32 bits (" + Integer.MIN_VALUE + ".."
                            + Integer.MAX_VALUE + "), was " + echo(integer.toString()));
                    return false;
                }
                return true;
            }
        }
        throw new IllegalStateException("unhandled field type " + spec.type());
    }

    private static <E> E parseEnum(Object value, Function<String, Optional<E>> parser, String allowed,
                                   Errors errors, String prefix, String field) {
        if (!checkString(value, errors, prefix, field, false)) {
            return null;
        }
        Optional<E> parsed = parser.apply((String) value);
        if (parsed.isEmpty()) {
            errors.add(prefix, field, "must be one of: " + allowed);
        }
        return parsed.orElse(null);
    }

    private static boolean isFinite(Number number) {
        if (number instanceof Double d) {
            return Double.isFinite(d);
        }
        if (number instanceof Float f) {
            return Float.isFinite(f);
        }
        return true;
    }

    private static boolean checkString(Object value, Errors errors, String prefix, String field, boolean blankAllowed) {
        if (!(value instanceof String text)) {
            errors.add(prefix, field, "must be a string");
            return false;
        }
        String bad = unstorableCharacter(text);
        if (bad != null) {
            errors.add(prefix, field, "must not contain " + bad);
            return false;
        }
        if (!blankAllowed && text.isBlank()) {
            errors.add(prefix, field, "must not be blank");
            return false;
        }
        return true;
    }

    /**
     * Describes the first character PostgreSQL could not store faithfully, or null. NUL is refused
     * by PostgreSQL text; an unpaired UTF-16 surrogate (a JSON escape such as {@code \\ud800})
     * has no UTF-8 form and would be silently replaced on the way to the database.
     */
    public static String unstorableCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return "NUL (\\u0000) characters";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "unpaired UTF-16 surrogates (not valid Unicode text)";
            }
        }
        return null;
    }

    /**
     * What is wrong with an identifier (a record's {@code namespace}, {@code name}, ..., and the
     * listing's and search's filters on them), or null: one rule for every endpoint.
     */
    public static String identifierProblem(String text) {
        String bad = unstorableCharacter(text);
        if (bad != null) {
            return "must not contain " + bad;
        }
        if (text.isBlank()) {
            return "must not be blank";
        }
        int chars = text.codePointCount(0, text.length());
        if (chars > AuditLimits.MAX_IDENTIFIER_CHARS) {
            return "must be at most " + AuditLimits.MAX_IDENTIFIER_CHARS + " characters, was " + chars;
        }
        return null;
    }

    /**
     * What is wrong with a label key, or null; the same rule for a record's {@code labels} and the
     * listing's {@code label=key=value}. A key may not contain {@code =}: the filter splits at the
     * first {@code =}, so no filter could ever match such a key.
     */
    public static String labelKeyProblem(String key) {
        if (key.isEmpty()) {
            return "label key must not be empty";
        }
        String bad = unstorableCharacter(key);
        if (bad != null) {
            return "label key must not contain " + bad;
        }
        if (key.indexOf('=') >= 0) {
            return "label key must not contain '=': the listing's label=key=value filter splits at the first '=', "
                    + "so no filter could ever select it";
        }
        int chars = key.codePointCount(0, key.length());
        if (chars > AuditLimits.MAX_LABEL_KEY_CHARS) {
            return "label key must be at most " + AuditLimits.MAX_LABEL_KEY_CHARS + " characters, was " + chars;
        }
        return null;
    }

    /** What is wrong with a label value, or null; the same rule for records and listing filters. */
    public static String labelValueProblem(String value) {
        String bad = unstorableCharacter(value);
        if (bad != null) {
            return "label value must not contain " + bad;
        }
        int chars = value.codePointCount(0, value.length());
        if (chars > AuditLimits.MAX_LABEL_VALUE_CHARS) {
            return "label value must be at most " + AuditLimits.MAX_LABEL_VALUE_CHARS + " characters, was " + chars;
        }
        return null;
    }

    /** A date-time by {@link Timestamps#parse}: the instant truncated to the microsecond. */
    private static Instant parseTimestamp(Object value, Errors errors, String prefix, String field) {
        if (!(value instanceof String text)) {
            errors.add(prefix, field, "must be " + Timestamps.FORM);
            return null;
        }
        try {
            return Timestamps.parse(text, echo(text));
        } catch (IllegalArgumentException e) {
            errors.add(prefix, field, e.getMessage());
            return null;
        }
    }

    private static Map<String, String> checkLabels(Object value, Errors errors, String prefix) {
        if (!(value instanceof Map<?, ?> raw)) {
            errors.add(prefix, "labels", "must be an object of string keys to string values");
            return null;
        }
        boolean ok = true;
        if (raw.size() > AuditLimits.MAX_LABELS) {
            errors.add(prefix, "labels", "must have at most " + AuditLimits.MAX_LABELS + " entries, had " + raw.size());
            ok = false;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : raw.entrySet()) {
            String key = String.valueOf(entry.getKey());
            String field = "labels." + echo(key);
            String keyProblem = labelKeyProblem(key);
            if (keyProblem != null) {
                errors.add(prefix, field, keyProblem);
                ok = false;
            }
            if (!(entry.getValue() instanceof String text)) {
                errors.add(prefix, field, "label value must be a string");
                ok = false;
                continue;
            }
            String valueProblem = labelValueProblem(text);
            if (valueProblem != null) {
                errors.add(prefix, field, valueProblem);
                ok = false;
            }
            labels.put(key, text);
        }
        return ok ? labels : null;
    }

    private static void checkTimeOrder(Values values, Errors errors, String prefix) {
        if (values.startedAt != null && values.completedAt != null && values.startedAt.isAfter(values.completedAt)) {
            errors.add(prefix, "completedAt", "must not be before startedAt");
        }
    }

    /** Client text put into an error message: cut short so an answer never grows with the input. */
    static String echo(String text) {
        if (text.length() <= MAX_ECHOED_NAME_CHARS) {
            return text;
        }
        return text.substring(0, MAX_ECHOED_NAME_CHARS) + "…";
    }

    /** {@link FieldErrors} with the batch element's prefix put before each field. */
    private static final class Errors {
        private final FieldErrors errors = new FieldErrors();

        void add(String prefix, String field, String message) {
            FieldError error = new FieldError(field, message);
            errors.add(prefix.isEmpty() ? error : error.prefixed(prefix));
        }

        int count() {
            return errors.count();
        }

        void throwIfAny() {
            errors.throwIfAny();
        }
    }
}
