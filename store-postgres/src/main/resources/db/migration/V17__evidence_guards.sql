-- Guards added after V14 and V16 were released (a released migration is never edited: Flyway
-- refuses to start on a database whose applied migration no longer matches its file).

-- Whether the current role owns the relation (the service's own database user, which creates the
-- schema and the partitions) or is a superuser, who could drop any trigger anyway.
CREATE FUNCTION datastorage_is_owner(relation oid) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = relation), 'USAGE')
$$;

CREATE FUNCTION datastorage_require_owner(relation oid, table_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT datastorage_is_owner(relation) THEN
        RAISE EXCEPTION 'only the service changes %', table_name USING ERRCODE = 'P0001';
    END IF;
END
$$;

-- Whether the transaction may delete from the trigger's table for the reason it gave with
-- SET LOCAL datastorage.delete_reason: any session can set that, so the reason counts only for the
-- owner. A role merely granted DELETE cannot use it.
CREATE FUNCTION datastorage_delete_allowed(relation oid, allowed text[]) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT current_setting('datastorage.delete_reason', true) = ANY (allowed) AND datastorage_is_owner(relation)
$$;

-- V14's rule for records, with the delete reason counting only for the owner. The owner or a
-- superuser can still get past this (session_replication_role, DROP TRIGGER, DROP TABLE of a
-- partition); the hash chain is what makes that evident.
CREATE OR REPLACE FUNCTION audit_records_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
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
    PERFORM datastorage_require_owner(TG_RELID, TG_TABLE_NAME);
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
    PERFORM datastorage_require_owner(TG_RELID, TG_TABLE_NAME);
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

-- Evidence of what retention may and did drop: a hold is never deleted, only released once (by the
-- service); a run's record is never changed. The owner or a superuser can still get past a
-- trigger, as with the records themselves.
CREATE FUNCTION legal_holds_release_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'legal hold % cannot be deleted; release it (DELETE /api/v1/admin/legal-holds/%)', OLD.id, OLD.id
            USING ERRCODE = 'P0001';
    END IF;
    PERFORM datastorage_require_owner(TG_RELID, TG_TABLE_NAME);
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
