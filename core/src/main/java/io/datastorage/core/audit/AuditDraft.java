package io.datastorage.core.audit;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A record that passed validation and may be stored. {@code document} holds every accepted field
 * exactly as the client sent it (strings verbatim, numbers exact), in canonical order; the other
 * components are typed projections of it used for indexing and filtering. {@code createdAt} is
 * the instant truncated to the microsecond ({@link Timestamps}), whoever builds the draft: it is
 * the one value used for the column, the partition, ordering and filters.
 */
public record AuditDraft(
        AuditKind kind,
        String correlationId,
        String name,
        String namespace,
        Phase phase,
        Severity severity,
        Instant createdAt,
        Map<String, String> labels,
        Map<String, Object> document) {

    public AuditDraft {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(phase, "phase");
        createdAt = Timestamps.toMicros(Objects.requireNonNull(createdAt, "createdAt"));
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(labels, "labels")));
        document = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(document, "document")));
    }

    /** The {@code createdAt} value exactly as the client wrote it. */
    public String createdAtText() {
        return (String) document.get("createdAt");
    }
}
