package io.datastorage.core.ingest;

import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.WriteResult;

import java.util.List;

/**
 * Where {@link IngestService} sends validated, embedded records: the dual-write coordinator when no
 * migration runs, the migration router otherwise. All or none of {@code records} is stored.
 */
@FunctionalInterface
public interface RecordWriter {

    /**
     * @param records 1..n records in input order
     * @param token   the request's idempotency key and content fingerprint, or null
     * @return receipts in input order
     */
    WriteResult write(List<NewRecord> records, IdempotencyToken token, Deadline deadline);
}
