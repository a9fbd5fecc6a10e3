package io.datastorage.server.web;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditLimits;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.FieldErrors;
import io.datastorage.core.audit.Phase;
import io.datastorage.core.audit.Severity;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The query parameters of a listing, turned into an {@link AuditQuery} or rejected with every
 * bad parameter named at once (an {@link AuditValidationException} whose fields are the parameter
 * names: {@code limit}, {@code since}, {@code cursor}, {@code kind} for the path, an unknown
 * parameter under its own name).
 *
 * <p>A listing's filters are the kinds, every filter parameter, and {@code since} and {@code until}
 * as written ({@code 24h} stays "24 hours before", not the instant it meant on the first page).
 * Their fingerprint goes into each cursor, and a cursor only works with the filters it was made
 * for. Its time window, resolved on the first page, then holds for every later page.
 */
final class ListingParameters {
    static final String NAMESPACE = "namespace";
    static final String PHASE = "phase";
    static final String SEVERITY = "severity";
    static final String CORRELATION_ID = "correlationId";
    static final String NAME = "name";
    static final String LABEL = "label";
    static final String SINCE = "since";
    static final String UNTIL = "until";
    static final String LIMIT = "limit";
    static final String CURSOR = "cursor";
    static final String INCLUDE_TOTAL = "includeTotal";
    static final List<String> ALLOWED = List.of(NAMESPACE, PHASE, SEVERITY, CORRELATION_ID, NAME, LABEL, SINCE, UNTIL,
            LIMIT, CURSOR, INCLUDE_TOTAL);

    private static final int MAX_ECHOED_CHARS = 64;

    private ListingParameters() {
    }

    /** A checked listing: what to ask the store, and the fingerprint of its filters for the next cursor. */
    record Listing(AuditQuery query, long filters) {
        /** The cursor of the page after the one that ended at {@code next}. */
        String nextCursor(AuditPosition next) {
            return new ListingCursor(next, query.since(), query.until(), filters).encode();
        }
    }

    /**
     * @param kind       the kind in the path, or null for every kind
     * @param parameters the query parameters, each with its values in request order
     * @param now        what relative times count back from
     * @throws AuditValidationException naming every bad parameter
     */
    static Listing parse(String kind, Map<String, String[]> parameters, Instant now) {
        Errors errors = new Errors();
        Set<AuditKind> kinds = EnumSet.allOf(AuditKind.class);
        if (kind != null) {
            try {
                kinds = EnumSet.of(AuditController.kind(kind));
            } catch (AuditValidationException e) {
                e.errors().forEach(error -> errors.add(error.field(), error.message()));
            }
        }
        parameters.forEach((name, values) -> {
            if (!ALLOWED.contains(name)) {
                errors.add(echo(name), "unknown parameter; allowed: " + String.join(", ", ALLOWED));
            } else if (!name.equals(LABEL) && values.length > 1) {
                errors.add(name, "must be given once, was given " + values.length + " times");
            }
        });

        String namespace = identifier(NAMESPACE, single(parameters, NAMESPACE), errors);
        String correlationId = identifier(CORRELATION_ID, single(parameters, CORRELATION_ID), errors);
        String name = identifier(NAME, single(parameters, NAME), errors);
        Phase phase = null;
        String phaseText = single(parameters, PHASE);
        if (phaseText != null) {
            phase = Phase.parse(phaseText).orElse(null);
            if (phase == null) {
                errors.add(PHASE, "must be one of " + Phase.allowed() + ", was " + echo(phaseText));
            }
        }
        Severity severity = null;
        String severityText = single(parameters, SEVERITY);
        if (severityText != null) {
            severity = Severity.parse(severityText).orElse(null);
            if (severity == null) {
                errors.add(SEVERITY, "must be one of " + Severity.allowed() + ", was " + echo(severityText));
            }
        }
        Map<String, String> labels = labels(parameters.getOrDefault(LABEL, new String[0]), errors);
        TimeParameter since = time(SINCE, single(parameters, SINCE), now, errors);
        TimeParameter until = time(UNTIL, single(parameters, UNTIL), now, errors);
        if (since != null && until != null && since.instant().isAfter(until.instant())) {
            errors.add(SINCE, "must not be after until (since " + since.instant() + ", until " + until.instant() + ")");
        }
        int limit = limit(single(parameters, LIMIT), errors);
        boolean includeTotal = false;
        String includeTotalText = single(parameters, INCLUDE_TOTAL);
        if (includeTotalText != null) {
            includeTotal = includeTotalText.equals("true");
            if (!includeTotal && !includeTotalText.equals("false")) {
                errors.add(INCLUDE_TOTAL, "must be true or false, was " + echo(includeTotalText));
            }
        }
        ListingCursor cursor = null;
        String cursorText = single(parameters, CURSOR);
        if (cursorText != null) {
            try {
                cursor = ListingCursor.decode(cursorText);
            } catch (ListingCursor.InvalidCursorException e) {
                errors.add(CURSOR, e.getMessage());
            }
        }
        errors.throwIfAny();

        long filters = fingerprint(kinds, namespace, phase, severity, correlationId, name, labels, since, until);
        AuditQuery.Builder query = AuditQuery.builder().kinds(kinds).namespace(namespace).phase(phase)
                .severity(severity).correlationId(correlationId).name(name).limit(limit).includeTotal(includeTotal);
        labels.forEach(query::label);
        if (cursor == null) {
            query.since(since == null ? null : since.instant()).until(until == null ? null : until.instant());
        } else {
            if (cursor.filters() != filters) {
                errors.add(CURSOR, "belongs to a listing with other filters (kind, namespace, phase, severity, "
                        + "correlationId, name, label, since, until); repeat them as on the first page, "
                        + "or start over without a cursor");
                errors.throwIfAny();
            }
            query.since(cursor.since()).until(cursor.until()).after(cursor.position());
        }
        return new Listing(query.build(), filters);
    }

    private static String single(Map<String, String[]> parameters, String name) {
        String[] values = parameters.get(name);
        return values == null || values.length == 0 ? null : values[0];
    }

    private static String identifier(String parameter, String value, Errors errors) {
        if (value == null) {
            return null;
        }
        String problem = AuditValidator.identifierProblem(value);
        if (problem != null) {
            errors.add(parameter, problem);
            return null;
        }
        return value;
    }

    /**
     * {@code key=value} pairs, split at the first {@code =}; all must match, so a key can have one
     * value. Key and value follow the rules of a record's labels ({@link AuditValidator#labelKeyProblem}),
     * so a filter names only what a record can hold, and every key a record can hold can be named.
     */
    private static Map<String, String> labels(String[] values, Errors errors) {
        Map<String, String> labels = new TreeMap<>();
        for (String pair : values) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                errors.add(LABEL, "must be key=value, was " + echo(pair));
                continue;
            }
            String key = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            String keyProblem = AuditValidator.labelKeyProblem(key);
            String valueProblem = keyProblem == null ? AuditValidator.labelValueProblem(value) : null;
            String problem = keyProblem != null ? keyProblem
                    : valueProblem != null ? valueProblem
                    : labels.containsKey(key) && !labels.get(key).equals(value)
                    ? "gives key '" + echo(key) + "' two values; a record has one value per key" : null;
            if (problem != null) {
                errors.add(LABEL, problem + ", was " + echo(pair));
                continue;
            }
            labels.put(key, value);
        }
        if (labels.size() > AuditLimits.MAX_LABELS) {
            errors.add(LABEL, "must name at most " + AuditLimits.MAX_LABELS + " keys (a record has no more), was "
                    + labels.size());
        }
        return labels;
    }

    private static TimeParameter time(String parameter, String text, Instant now, Errors errors) {
        if (text == null) {
            return null;
        }
        try {
            return TimeParameter.parse(text, echo(text), now);
        } catch (IllegalArgumentException e) {
            errors.add(parameter, e.getMessage());
            return null;
        }
    }

    private static int limit(String text, Errors errors) {
        if (text == null) {
            return AuditQuery.DEFAULT_LIMIT;
        }
        int limit = -1;
        if (text.matches("[0-9]{1,4}")) {
            limit = Integer.parseInt(text);
        }
        if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
            errors.add(LIMIT, "must be a whole number from 1 to " + AuditQuery.MAX_LIMIT + ", was " + echo(text));
            return AuditQuery.DEFAULT_LIMIT;
        }
        return limit;
    }

    /** The first 64 bits of SHA-256 over the filters, each written with its length so no two sets collide by concatenation. */
    private static long fingerprint(Set<AuditKind> kinds, String namespace, Phase phase, Severity severity,
                                    String correlationId, String name, Map<String, String> labels, TimeParameter since,
                                    TimeParameter until) {
        MessageDigest sha256 = ListingCursor.sha256();
        update(sha256, "datastorage listing filters v1");
        update(sha256, kinds.size() == AuditKind.values().length ? "*"
                : String.join(",", kinds.stream().map(AuditKind::pathName).toList()));
        update(sha256, namespace);
        update(sha256, phase == null ? null : phase.name());
        update(sha256, severity == null ? null : severity.wireName());
        update(sha256, correlationId);
        update(sha256, name);
        update(sha256, String.valueOf(labels.size()));
        labels.forEach((key, value) -> {
            update(sha256, key);
            update(sha256, value);
        });
        update(sha256, since == null ? null : since.normalized());
        update(sha256, until == null ? null : until.normalized());
        return ByteBuffer.wrap(sha256.digest()).getLong();
    }

    private static void update(MessageDigest digest, String value) {
        if (value == null) {
            digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(-1).array());
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
        digest.update(bytes);
    }

    /**
     * Client text in an error message: cut short so an answer never grows with the input, and with
     * any lone half of a surrogate pair (not Unicode text; strict JSON parsers refuse its escape)
     * shown as U+FFFD, whether it came that way or the cut would have split a pair.
     */
    static String echo(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < MAX_ECHOED_CHARS; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.length() < text.length() ? out.append('…').toString() : out.toString();
    }

    /** {@link FieldErrors}: a request with thousands of parameters gets a bounded answer with the real count. */
    private static final class Errors {
        private final FieldErrors errors = new FieldErrors();

        void add(String field, String message) {
            errors.add(field, message);
        }

        void throwIfAny() {
            errors.throwIfAny();
        }
    }
}
