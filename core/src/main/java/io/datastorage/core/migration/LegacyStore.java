package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;

import java.util.Optional;
import java.util.UUID;

/**
 * A store that held the audit trail before datastorage: the other side of a migration. One SPI,
 * one contract suite ({@code LegacyStoreContract} in core's tests), several implementations (a
 * directory of JSON files, a table in another PostgreSQL).
 *
 * <p>What every implementation promises:
 * <ul>
 *   <li><b>Idempotent writes by record id.</b> A {@link #put} of a record already stored with the
 *       same content changes nothing and reports {@link PutOutcome#UNCHANGED}, so a retry after an
 *       unknown outcome leaves exactly one copy; one with other content is refused with
 *       {@link LegacyRecordConflictException} and the stored record stays as it was.</li>
 *   <li><b>Exact content.</b> A record reads back with the document it was written with: the same
 *       texts and the same numbers (exact values, {@code 0.10} stays {@code 0.10} where the store
 *       keeps JSON text), and the same id, kind, createdAt (to the microsecond) and legacy id.</li>
 *   <li><b>A stable scan.</b> {@link #scan} lists a kind's records in ascending {@code createdAt},
 *       ties in an order of their keys that the store keeps; paging with the returned position
 *       yields every record once, in the same order as one unpaged scan.</li>
 *   <li><b>Typed failures.</b> An unreachable store is {@link LegacyStoreUnavailableException}
 *       (transient); a stored record that cannot be read is an
 *       {@link io.datastorage.core.store.UnreadableRecordException} of component
 *       {@link io.datastorage.core.error.Component#LEGACY_STORE} (permanent) from {@link #find},
 *       while a scan leaves it out of its records, logs its key, names it in the page's
 *       {@link LegacyPage#unreadable()} (once in a whole scan) and goes on; {@link #count} counts it
 *       (it is stored); an unexpected failure is a
 *       {@link io.datastorage.core.store.StoreException} of that component.</li>
 * </ul>
 * Implementations are safe for concurrent use.
 */
public interface LegacyStore extends AutoCloseable {

    /** What a {@link #put} did. */
    enum PutOutcome {
        /** The record was not there; now it is, durably. */
        CREATED,
        /** The same record with the same content was there already; nothing changed. */
        UNCHANGED
    }

    /**
     * Stores {@code record} durably under its id (its legacy id where it has one), unless it is
     * there already.
     *
     * @throws LegacyRecordConflictException the id is stored with other content
     * @throws LegacyStoreUnavailableException the store failed; the record may or may not be stored
     */
    PutOutcome put(LegacyRecord record);

    /**
     * Removes the record of {@code kind} with {@code id} durably, if the store holds it: the undo of
     * a write whose answer is a failure (a migration's {@code fail} policy), never a way to change a
     * record. Idempotent: removing a record that is not there changes nothing.
     *
     * @return whether a record was removed
     * @throws LegacyStoreUnavailableException the store failed; the record may or may not be removed
     */
    boolean remove(AuditKind kind, UUID id);

    /** The record of {@code kind} with {@code id}, if the store holds it. */
    Optional<LegacyRecord> find(AuditKind kind, UUID id);

    /**
     * Up to {@code limit} records of {@code kind} after {@code after} (from the first when empty), in
     * scan order.
     *
     * @param limit 1..10,000
     */
    LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit);

    /** How many records of {@code kind} the store holds, readable or not. */
    long count(AuditKind kind);

    /** Whether the store serves calls now. Never throws. */
    LegacyHealth health();

    /** Releases what the store holds open (connections); idempotent. */
    @Override
    void close();

    /** Checks a scan's limit: 1..10,000. */
    static int checkLimit(int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1..10000, was " + limit);
        }
        return limit;
    }
}
