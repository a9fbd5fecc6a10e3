-- Reconciliation compares PostgreSQL and the vector index per slice of the id space without
-- reading vectors: each record keeps the 64-bit fingerprint of the index entry it was indexed
-- with (null until then, and for records indexed before this column existed: reconciliation
-- computes those once). The covering index answers the per-slice aggregates by index-only scans.
ALTER TABLE audit_records ADD COLUMN vector_fingerprint bigint;

CREATE INDEX audit_records_vector_slice_idx ON audit_records (id) INCLUDE (vector_fingerprint)
    WHERE NOT embedding_pending;
