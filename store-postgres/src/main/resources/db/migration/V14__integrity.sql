-- Who wrote each record: the authenticated subject of the request (system:anonymous without
-- authentication, and for every record stored before subjects were recorded). A constant default
-- rewrites no row.
ALTER TABLE audit_records ADD COLUMN recorded_by text NOT NULL DEFAULT 'system:anonymous';

-- The hash chain, one per kind and UTC month of created_at (so that dropping an expired month
-- removes whole chains). A record is sealed into its chain some time after it was written (by the
-- sealing job; NULL until then): its position and the link's hash, which covers the previous link.
ALTER TABLE audit_records ADD COLUMN chain_seq bigint;
ALTER TABLE audit_records ADD COLUMN chain_hash bytea;
CREATE INDEX audit_records_unsealed_idx ON audit_records (kind, received_at, id) WHERE chain_seq IS NULL;
CREATE INDEX audit_records_chain_idx ON audit_records (kind, chain_seq) WHERE chain_seq IS NOT NULL;

-- Each chain's head: its last link. month is the first day of the UTC month.
CREATE TABLE integrity_chains (
    kind  text   NOT NULL,
    month date   NOT NULL,
    seq   bigint NOT NULL,
    hash  bytea  NOT NULL,
    PRIMARY KEY (kind, month)
);

-- How far each chain was verified, so that the next verification starts there.
CREATE TABLE integrity_checkpoints (
    kind        text        NOT NULL,
    month       date        NOT NULL,
    seq         bigint      NOT NULL,
    hash        bytea       NOT NULL,
    verified_at timestamptz NOT NULL,
    PRIMARY KEY (kind, month)
);

-- Whether the transaction may delete from the trigger's table for the reason it gave with
-- SET LOCAL datastorage.delete_reason: any session can set that, so the reason counts only for the
-- table's owner (the service's own database user, which creates the schema and the partitions) or
-- a superuser, who could drop the trigger anyway. A role merely granted DELETE cannot use it.
CREATE FUNCTION datastorage_delete_allowed(relation oid, allowed text[]) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT current_setting('datastorage.delete_reason', true) = ANY (allowed)
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = relation), 'USAGE')
$$;

-- Records are immutable. An UPDATE may change only what the service derives from a record (its
-- embedding, the index bookkeeping) and seal it once; a DELETE is refused unless retention drops
-- the record, or a write that was never acknowledged is undone before it was sealed. Each such
-- transaction says so with SET LOCAL datastorage.delete_reason, which counts only for the owner
-- (datastorage_delete_allowed). The owner or a superuser can still get past this
-- (session_replication_role, DROP TRIGGER, DROP TABLE of a partition); the hash chain is what makes
-- that evident.
CREATE FUNCTION audit_records_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF datastorage_delete_allowed(TG_RELID, ARRAY['retention'])
           OR (OLD.chain_seq IS NULL AND datastorage_delete_allowed(TG_RELID, ARRAY['undo'])) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit records are immutable: record % (%) cannot be deleted; only retention drops records',
            OLD.id, OLD.kind USING ERRCODE = 'P0001';
    END IF;
    IF (NEW.id, NEW.kind, NEW.correlation_id, NEW.name, NEW.namespace, NEW.phase, NEW.severity, NEW.created_at,
        NEW.received_at, NEW.labels, NEW.document, NEW.legacy_id, NEW.recorded_by)
       IS DISTINCT FROM
       (OLD.id, OLD.kind, OLD.correlation_id, OLD.name, OLD.namespace, OLD.phase, OLD.severity, OLD.created_at,
        OLD.received_at, OLD.labels, OLD.document, OLD.legacy_id, OLD.recorded_by) THEN
        RAISE EXCEPTION 'audit records are immutable: record % (%) cannot be changed', OLD.id, OLD.kind
            USING ERRCODE = 'P0001';
    END IF;
    IF OLD.chain_seq IS NOT NULL AND (NEW.chain_seq, NEW.chain_hash) IS DISTINCT FROM (OLD.chain_seq, OLD.chain_hash) THEN
        RAISE EXCEPTION 'audit records are immutable: record % (%) is sealed into its chain', OLD.id, OLD.kind
            USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_records_immutable BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_immutable();

-- TRUNCATE fires no row trigger: refused outright on the trail and its evidence (retention deletes
-- rows, it never truncates).
CREATE FUNCTION datastorage_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% cannot be truncated: it holds the audit trail or its evidence, which only retention drops',
        TG_TABLE_NAME USING ERRCODE = 'P0001';
END
$$;

CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION datastorage_no_truncate();

-- A statement trigger of the partitioned table does not fire for a partition truncated by name, so
-- every partition has its own (PartitionManager adds it to each partition it creates).
DO $$
DECLARE
    partition regclass;
BEGIN
    FOR partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_records'::regclass LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION datastorage_no_truncate()', partition);
    END LOOP;
END
$$;

-- Rows only the service changes: any UPDATE or DELETE by a role other than the owner is refused.
CREATE FUNCTION datastorage_owner_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RAISE EXCEPTION 'only the service changes %', TG_TABLE_NAME USING ERRCODE = 'P0001';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

-- A chain's head only moves forward (the sealer appends) and is deleted only by retention, with
-- its month: erasing a chain with its records would otherwise leave nothing to verify.
CREATE FUNCTION integrity_chains_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RAISE EXCEPTION 'only the service changes %', TG_TABLE_NAME USING ERRCODE = 'P0001';
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF datastorage_delete_allowed(TG_RELID, ARRAY['retention']) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'the head of chain % % cannot be deleted; only retention drops chains', OLD.kind, OLD.month
            USING ERRCODE = 'P0001';
    END IF;
    IF (NEW.kind, NEW.month) IS DISTINCT FROM (OLD.kind, OLD.month) OR NEW.seq < OLD.seq
       OR (NEW.seq = OLD.seq AND NEW.hash IS DISTINCT FROM OLD.hash) THEN
        RAISE EXCEPTION 'the head of chain % % only moves forward', OLD.kind, OLD.month USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER integrity_chains_append_only BEFORE UPDATE OR DELETE ON integrity_chains
    FOR EACH ROW EXECUTE FUNCTION integrity_chains_append_only();

CREATE TRIGGER integrity_chains_no_truncate BEFORE TRUNCATE ON integrity_chains
    FOR EACH STATEMENT EXECUTE FUNCTION datastorage_no_truncate();

-- A checkpoint says how far a chain was found whole, so that a chain erased later is noticed:
-- only the service moves it, and only retention deletes it (with its chain).
CREATE FUNCTION integrity_checkpoints_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT datastorage_delete_allowed(TG_RELID, ARRAY['retention']) THEN
        RAISE EXCEPTION 'the checkpoint of chain % % cannot be deleted; only retention drops chains', OLD.kind, OLD.month
            USING ERRCODE = 'P0001';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER integrity_checkpoints_owner_only BEFORE UPDATE OR DELETE ON integrity_checkpoints
    FOR EACH ROW EXECUTE FUNCTION datastorage_owner_only();
CREATE TRIGGER integrity_checkpoints_guard AFTER DELETE ON integrity_checkpoints
    FOR EACH ROW EXECUTE FUNCTION integrity_checkpoints_guard();
CREATE TRIGGER integrity_checkpoints_no_truncate BEFORE TRUNCATE ON integrity_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION datastorage_no_truncate();
