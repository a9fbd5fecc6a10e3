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

-- Evidence of what retention may and did drop: a hold is never deleted, only released once (by the
-- service); a run's record is never changed. The owner or a superuser can still get past a
-- trigger, as with the records themselves.
CREATE FUNCTION legal_holds_release_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'legal hold % cannot be deleted; release it (DELETE /api/v1/admin/legal-holds/%)', OLD.id, OLD.id
            USING ERRCODE = 'P0001';
    END IF;
    IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RAISE EXCEPTION 'only the service changes %', TG_TABLE_NAME USING ERRCODE = 'P0001';
    END IF;
    IF OLD.released_at IS NOT NULL
       OR (NEW.id, NEW.correlation_id, NEW.namespace, NEW.reason, NEW.created_by, NEW.created_at, NEW.expires_at)
          IS DISTINCT FROM
          (OLD.id, OLD.correlation_id, OLD.namespace, OLD.reason, OLD.created_by, OLD.created_at, OLD.expires_at) THEN
        RAISE EXCEPTION 'legal hold % can only be released, once', OLD.id USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER legal_holds_release_only BEFORE UPDATE OR DELETE ON legal_holds
    FOR EACH ROW EXECUTE FUNCTION legal_holds_release_only();
CREATE TRIGGER legal_holds_no_truncate BEFORE TRUNCATE ON legal_holds
    FOR EACH STATEMENT EXECUTE FUNCTION datastorage_no_truncate();

CREATE FUNCTION retention_runs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'retention runs are a record of what was dropped: they cannot be changed or deleted'
        USING ERRCODE = 'P0001';
END
$$;

CREATE TRIGGER retention_runs_append_only BEFORE UPDATE OR DELETE ON retention_runs
    FOR EACH ROW EXECUTE FUNCTION retention_runs_append_only();
CREATE TRIGGER retention_runs_no_truncate BEFORE TRUNCATE ON retention_runs
    FOR EACH STATEMENT EXECUTE FUNCTION datastorage_no_truncate();
