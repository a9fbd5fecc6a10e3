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

-- Records are immutable. An UPDATE may change only what the service derives from a record (its
-- embedding, the index bookkeeping) and seal it once; a DELETE is refused unless retention drops
-- the record, or a write that was never acknowledged is undone before it was sealed. Each such
-- transaction says so with SET LOCAL datastorage.delete_reason. A superuser can still get past
-- this (session_replication_role, DROP TRIGGER); the hash chain is what makes that evident.
CREATE FUNCTION audit_records_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    reason text := current_setting('datastorage.delete_reason', true);
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF reason = 'retention' OR (reason = 'undo' AND OLD.chain_seq IS NULL) THEN
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
