package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.SliceDigest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * A stored record with its embedding: what the vector index needs of it.
 *
 * @param namespace  may be null
 * @param receivedAt when the store received it; the order of the repair and catch-up walks
 */
public record IndexableRecord(UUID id, AuditKind kind, String namespace, String phase, Instant createdAt,
                              Instant receivedAt, float[] embedding) {
    public IndexableRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(embedding, "embedding");
    }

    /** The index entry of this record; its checksum covers everything the entry holds. */
    public IndexEntry toEntry() {
        return new IndexEntry(id, embedding, new IndexMetadata(kind, namespace, phase, createdAt, checksum()));
    }

    /**
     * Hex SHA-256 of the vector and the metadata, so reconciliation can tell an entry that no
     * longer matches its record without comparing vectors.
     */
    public String checksum() {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        ByteBuffer vector = ByteBuffer.allocate(Float.BYTES * embedding.length);
        vector.asFloatBuffer().put(embedding);
        sha256.update(vector.array());
        String facts = kind.name() + '\0' + namespace + '\0' + phase + '\0' + createdAt;
        sha256.update(facts.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** The first 64 bits of {@link #checksum()}: what reconciliation compares. */
    public long fingerprint() {
        return SliceDigest.fingerprint(checksum());
    }
}
