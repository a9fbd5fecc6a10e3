-- Audit records, partitioned by month of createdAt (UTC). Partitions are created by the
-- service: the current month and the next three at start-up and daily, and any other month
-- on demand before a record for it is inserted. There is no default partition, so a new month
-- never has to be split out of one.
CREATE TABLE audit_records (
    id             uuid        NOT NULL,
    kind           text        NOT NULL,
    correlation_id text        NOT NULL,
    name           text        NOT NULL,
    namespace      text        NOT NULL,
    phase          text        NOT NULL,
    severity       text,
    created_at     timestamptz NOT NULL,
    received_at    timestamptz NOT NULL,
    labels         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- every accepted field exactly as the client sent it
    document       jsonb       NOT NULL,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

-- Listing order is (created_at desc, id desc); each filter gets an index in that order.
CREATE INDEX audit_records_time_idx        ON audit_records (created_at DESC, id DESC);
CREATE INDEX audit_records_kind_time_idx   ON audit_records (kind, created_at DESC, id DESC);
CREATE INDEX audit_records_ns_time_idx     ON audit_records (namespace, created_at DESC, id DESC);
CREATE INDEX audit_records_phase_time_idx  ON audit_records (phase, created_at DESC, id DESC);
CREATE INDEX audit_records_correlation_idx ON audit_records (correlation_id);
CREATE INDEX audit_records_labels_idx      ON audit_records USING gin (labels jsonb_path_ops);
