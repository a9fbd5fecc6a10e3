-- The record's embedding, written in the same transaction as the record. When the embedder
-- failed, the record is stored without one and marked pending; the repair worker embeds it later.
ALTER TABLE audit_records ADD COLUMN embedding real[];
ALTER TABLE audit_records ADD COLUMN embedding_pending boolean NOT NULL DEFAULT false;

-- Records stored before embeddings existed are embedded by the repair worker too.
UPDATE audit_records SET embedding_pending = true WHERE embedding IS NULL;

CREATE INDEX audit_records_embedding_pending_idx ON audit_records (received_at, id) WHERE embedding_pending;
