-- One row per Idempotency-Key: the fingerprint of the request that first used it and the
-- receipts it was answered with. Written in the same transaction as the records.
CREATE TABLE idempotency_keys (
    idempotency_key text        PRIMARY KEY,
    fingerprint     text        NOT NULL,
    receipts        jsonb       NOT NULL,
    created_at      timestamptz NOT NULL
);

CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
