-- Dual-write: a record is inserted marked "index pending"; the mark is cleared in the same
-- transaction once its vector is in the vector index, or later by the repair worker. Records
-- stored before the vector index existed are indexed by the repair worker too.
ALTER TABLE audit_records ADD COLUMN index_pending boolean NOT NULL DEFAULT true;

CREATE INDEX audit_records_index_pending_idx ON audit_records (received_at, id) WHERE index_pending;

-- Replaying recent records into an index that lost its last writes walks records by arrival.
CREATE INDEX audit_records_received_idx ON audit_records (received_at, id);
