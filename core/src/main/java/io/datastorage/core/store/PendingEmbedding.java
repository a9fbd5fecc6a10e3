package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A stored record whose embedding is still to be computed. */
public record PendingEmbedding(UUID id, AuditKind kind, Instant createdAt, Map<String, Object> document) {
}
