package io.datastorage.core.retention;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A legal hold: keeps every record, of any kind, whose {@code correlationId} or {@code namespace}
 * (exactly one of the two is set) matches, and so blocks retention from dropping every (kind, month)
 * that holds such a record. It blocks while {@linkplain #active(Instant) active}: not released and
 * not past {@code expiresAt}.
 *
 * @param expiresAt  when it stops blocking by itself; {@code null}: never
 * @param releasedAt when it was released; {@code null} while it is not
 * @param releasedBy who released it (the request's subject); {@code null} while it is not
 */
public record LegalHold(UUID id, String correlationId, String namespace, String reason, String createdBy,
                        Instant createdAt, Instant expiresAt, Instant releasedAt, String releasedBy) {

    public LegalHold {
        Objects.requireNonNull(id, "id");
        if ((correlationId == null) == (namespace == null)) {
            throw new IllegalArgumentException("a legal hold covers exactly one correlationId or one namespace");
        }
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether it blocks retention at {@code now}: not released and not expired. */
    public boolean active(Instant now) {
        return releasedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }

    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiresAt);
    }
}
