package io.datastorage.store.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.UnreadableRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads stored records back, for the record store and the search store, and counts the records
 * whose document cannot be read. One per store. Thread-safe.
 */
final class RecordReader {
    private static final Logger log = LoggerFactory.getLogger(RecordReader.class);
    /** What {@link #readRecord} reads. */
    static final String RECORD_COLUMNS =
            "id, kind, received_at, document::text, embedding_pending, index_pending, legacy_id, recorded_by";
    /** How many columns {@link #RECORD_COLUMNS} names. */
    static final int RECORD_COLUMN_COUNT = 8;

    private final AtomicLong unreadableRecords = new AtomicLong();

    /** Reads a record from the {@link #RECORD_COLUMNS} at the start of the row. */
    AuditRecord readRecord(ResultSet rs) throws SQLException {
        UUID id = rs.getObject(1, UUID.class);
        return new AuditRecord(id, AuditKind.fromPathName(rs.getString(2)).orElseThrow(),
                rs.getTimestamp(3).toInstant(), document(id, rs.getString(4)), !rs.getBoolean(5), !rs.getBoolean(6),
                rs.getString(7), rs.getString(8));
    }

    /**
     * {@link #readRecord}, or empty for a record whose document cannot be read: a listing or a
     * search leaves it out rather than failing as a whole ({@link #document} logged and counted it).
     */
    Optional<AuditRecord> readableRecord(ResultSet rs) throws SQLException {
        try {
            return Optional.of(readRecord(rs));
        } catch (UnreadableRecordException e) {
            return Optional.empty();
        }
    }

    /** A stored document, or an {@link UnreadableRecordException} that has been logged and counted. */
    Map<String, Object> document(UUID id, String json) {
        try {
            return JsonCodec.readObject(json);
        } catch (RuntimeException e) {
            unreadableRecords.incrementAndGet();
            log.error("Record {} cannot be read back ({}); it is left out of listings and searches", id, e.getMessage());
            throw new UnreadableRecordException(id, e);
        }
    }

    /** How many times a stored record could not be read back since start-up (each read counts). */
    long unreadableRecords() {
        return unreadableRecords.get();
    }
}
