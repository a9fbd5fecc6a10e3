-- Legal holds: a hold keeps every record it covers, of any kind, and so blocks retention from
-- dropping each (kind, month) that holds a covered record. A hold covers one correlationId or one
-- namespace (exactly one of the two). It stops blocking when released or once expires_at has
-- passed; the row stays for the record.
CREATE TABLE legal_holds (
    id             uuid        PRIMARY KEY,
    correlation_id text,
    namespace      text,
    reason         text        NOT NULL CHECK (btrim(reason) <> ''),
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz,
    released_at    timestamptz,
    released_by    text,
    CHECK ((correlation_id IS NULL) <> (namespace IS NULL)),
    CHECK ((released_at IS NULL) = (released_by IS NULL))
);

CREATE INDEX legal_holds_active_idx ON legal_holds (created_at) WHERE released_at IS NULL;

-- What each retention run dropped: one row per (kind, month), written in the transaction that
-- deleted the month's records.
CREATE TABLE retention_runs (
    run_id     text        NOT NULL,
    kind       text        NOT NULL,
    month      date        NOT NULL,
    records    bigint      NOT NULL,
    dropped_at timestamptz NOT NULL,
    PRIMARY KEY (run_id, kind, month)
);

CREATE INDEX retention_runs_dropped_idx ON retention_runs (dropped_at);

-- The ids of dropped records still to be deleted from the vector index, written in the same
-- transaction as the records' deletion and removed once the index has deleted them, so that an
-- index that is down when a month is dropped is caught up by a later run.
CREATE TABLE retention_index_deletes (
    id         uuid        PRIMARY KEY,
    dropped_at timestamptz NOT NULL DEFAULT now()
);
