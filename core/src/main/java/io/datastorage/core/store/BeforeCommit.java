package io.datastorage.core.store;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Runs inside a write's transaction, before the commit: the place where the dual-write puts the
 * records' vectors into the index. Each record is stored marked "index pending" unless this hook
 * answered its id. (A store may run the hook before its insert, as the PostgreSQL store does so
 * that the mark is written once; the records stay invisible to everyone else until the commit
 * either way.)
 */
@FunctionalInterface
public interface BeforeCommit {
    /** Indexes nothing: every record stays marked "index pending". */
    BeforeCommit NONE = records -> Set.of();

    /**
     * @param records the records being written that have an embedding (those without one stay pending)
     * @return the ids now in the index; those records are stored without the mark
     * @throws RuntimeException to roll the whole write back
     */
    Set<UUID> beforeCommit(List<IndexableRecord> records);
}
