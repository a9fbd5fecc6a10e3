package io.datastorage.core.integrity;

import io.datastorage.core.ingest.ContentFingerprint;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What a link of the hash chain covers of a stored record: its id, kind, createdAt, receivedAt,
 * recordedBy, legacyId and document.
 *
 * @param kind     the kind's path name ({@code workflow}, …)
 * @param legacyId {@code null} when the record has none (then the canonical JSON has no member)
 * @param document the document as stored: its JSON tree (a map), or, for a stored document the service
 *                 cannot read back (an unreadable record), its text, which the link then covers as a
 *                 JSON string; so such a record neither stops its chain's sealing nor its verification
 */
public record ChainRecord(UUID id, String kind, Instant createdAt, Instant receivedAt, String recordedBy,
                          String legacyId, Object document) {
    /**
     * The timestamps' form in the canonical JSON: UTC, always six fractional digits (PostgreSQL
     * keeps microseconds), e.g. {@code 2026-11-30T23:24:50.123400Z}, which PostgreSQL writes as
     * {@code to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')}.
     */
    public static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    public ChainRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(recordedBy, "recordedBy");
        Objects.requireNonNull(document, "document");
        if (!(document instanceof Map<?, ?>) && !(document instanceof String)) {
            throw new IllegalArgumentException("a document is a JSON object or, unreadable, its text");
        }
    }

    /**
     * The record's canonical JSON (RFC 8785 as {@link ContentFingerprint#canonical} writes it):
     * {@code {"createdAt":…,"document":{…},"id":…,"kind":…,"legacyId":…,"receivedAt":…,"recordedBy":…}},
     * members sorted, {@code legacyId} left out when the record has none.
     */
    public String canonicalJson() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("id", id.toString());
        tree.put("kind", kind);
        tree.put("createdAt", TIMESTAMP.format(createdAt));
        tree.put("receivedAt", TIMESTAMP.format(receivedAt));
        tree.put("recordedBy", recordedBy);
        tree.put("legacyId", legacyId);
        tree.put("document", document);
        return ContentFingerprint.canonical(tree);
    }
}
