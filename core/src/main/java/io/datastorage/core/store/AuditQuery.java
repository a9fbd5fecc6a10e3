package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.Phase;
import io.datastorage.core.audit.Severity;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What to list: the records of {@code kinds} that match every filter given (a null filter
 * matches everything), in the listing order ({@link AuditPosition#LISTING_ORDER}), at most
 * {@code limit} of them, starting after the position {@code after} (null: from the newest).
 *
 * <p>Filters compare exactly (no patterns, no case folding). {@code labels} match when the
 * record has every one of these keys with exactly this value (other labels do not matter).
 * {@code since} is inclusive and {@code until} exclusive, both on {@code createdAt}.
 *
 * @param kinds        one or more kinds
 * @param severity     only remediations have one: any other kind never matches a severity filter
 * @param includeTotal whether to count every matching record too (costs a second query)
 */
public record AuditQuery(Set<AuditKind> kinds, String namespace, Phase phase, Severity severity, String correlationId,
                         String name, Map<String, String> labels, Instant since, Instant until, int limit,
                         AuditPosition after, boolean includeTotal) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        Objects.requireNonNull(kinds, "kinds");
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("kinds must name at least one kind");
        }
        kinds = Collections.unmodifiableSet(EnumSet.copyOf(kinds));
        Objects.requireNonNull(labels, "labels");
        labels.forEach((key, value) -> {
            Objects.requireNonNull(key, "label key");
            Objects.requireNonNull(value, "value of label " + key);
        });
        labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
        }
        if (since != null && until != null && since.isAfter(until)) {
            throw new IllegalArgumentException("since must not be after until, was since " + since + ", until " + until);
        }
    }

    /**
     * Whether a record of {@code kind}, created at {@code createdAt}, with {@code document} (the record
     * as accepted: {@code namespace}, {@code phase}, {@code severity} and the others as the texts the
     * client sent, {@code labels} an object) matches every filter of this query; the position
     * ({@link #after()}) is not a filter. The one statement of the filters' meaning outside SQL (the
     * PostgreSQL store's WHERE clause says the same): equal texts, every queried label present with
     * that value, {@code since} inclusive and {@code until} exclusive on {@code createdAt}. A field a
     * document lacks, or holds as something other than a text, matches no filter on it.
     */
    public boolean matches(AuditKind kind, Instant createdAt, Map<String, ?> document) {
        return kinds.contains(kind)
                && equalOrUnfiltered(namespace, document.get("namespace"))
                && equalOrUnfiltered(phase == null ? null : phase.name(), document.get("phase"))
                && equalOrUnfiltered(severity == null ? null : severity.wireName(), document.get("severity"))
                && equalOrUnfiltered(correlationId, document.get("correlationId"))
                && equalOrUnfiltered(name, document.get("name"))
                && hasLabels(document.get("labels"))
                && (since == null || !createdAt.isBefore(since))
                && (until == null || createdAt.isBefore(until));
    }

    private static boolean equalOrUnfiltered(String filter, Object value) {
        return filter == null || filter.equals(value);
    }

    private boolean hasLabels(Object value) {
        if (labels.isEmpty()) {
            return true;
        }
        if (!(value instanceof Map<?, ?> present)) {
            return false;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!label.getValue().equals(present.get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@link #kinds()} holds every kind, so the kind does not filter anything. */
    public boolean allKinds() {
        return kinds.size() == AuditKind.values().length;
    }

    /** The same query for the page after {@code position}. */
    public AuditQuery after(AuditPosition position) {
        return new AuditQuery(kinds, namespace, phase, severity, correlationId, name, labels, since, until, limit,
                position, includeTotal);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every kind, no filter, {@value #DEFAULT_LIMIT} records, from the newest, no total. */
    public static final class Builder {
        private Set<AuditKind> kinds = EnumSet.allOf(AuditKind.class);
        private String namespace;
        private Phase phase;
        private Severity severity;
        private String correlationId;
        private String name;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private Instant since;
        private Instant until;
        private int limit = DEFAULT_LIMIT;
        private AuditPosition after;
        private boolean includeTotal;

        private Builder() {
        }

        public Builder kinds(Collection<AuditKind> kinds) {
            this.kinds = kinds.isEmpty() ? EnumSet.noneOf(AuditKind.class) : EnumSet.copyOf(kinds);
            return this;
        }

        public Builder kind(AuditKind kind) {
            return kinds(List.of(kind));
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public Builder phase(Phase phase) {
            this.phase = phase;
            return this;
        }

        public Builder severity(Severity severity) {
            this.severity = severity;
            return this;
        }

        public Builder correlationId(String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        public Builder since(Instant since) {
            this.since = since;
            return this;
        }

        public Builder until(Instant until) {
            this.until = until;
            return this;
        }

        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public Builder after(AuditPosition after) {
            this.after = after;
            return this;
        }

        public Builder includeTotal(boolean includeTotal) {
            this.includeTotal = includeTotal;
            return this;
        }

        /** @throws IllegalArgumentException naming the bad value */
        public AuditQuery build() {
            return new AuditQuery(kinds, namespace, phase, severity, correlationId, name, labels, since, until, limit,
                    after, includeTotal);
        }
    }
}
