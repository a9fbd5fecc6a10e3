package io.datastorage.core.store;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Runs inside a write's transaction, after the records are inserted (each marked "index pending")
 * and before the commit: the place where the dual-write puts their vectors into the index.
 */
@FunctionalInterface
public interface BeforeCommit {
    /** Indexes nothing: every record stays marked "index pending". */
    BeforeCommit NONE = records -> Set.of();

    /**
     * @param records the inserted records that have an embedding (those without one stay pending)
     * @return the ids now in the index; their marks are cleared in the same transaction
     * @throws RuntimeException to roll the whole write back
     */
    Set<UUID> beforeCommit(List<IndexableRecord> records);
}
