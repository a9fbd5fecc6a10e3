-- The durable queue of writes owed to a migration's secondary side (see
-- io.datastorage.core.migration.SecondaryWriteQueue): one row per (record, side it must be put on),
-- kept until the write has landed. The content is not here: it is read from the primary when the
-- write is replayed. An entry is due when due_at <= now(): set to now() when enqueued, moved
-- forward by a claim (the claim lasts until then) and by a retry (its backoff). attempts counts the
-- claims; claim_token fences them: a worker completes or reschedules an entry only while its
-- claim is the latest. Times are the database's.
CREATE TABLE secondary_writes (
    record_id     uuid        NOT NULL,
    target        text        NOT NULL CHECK (target IN ('LEGACY', 'NEW')),
    kind          text        NOT NULL,
    phase_version bigint      NOT NULL CHECK (phase_version >= 1),
    enqueued_at   timestamptz NOT NULL,
    due_at        timestamptz NOT NULL,
    attempts      integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error    text,
    claim_token   uuid,
    PRIMARY KEY (record_id, target)
);

-- Claims take the longest-due entries first; the backlog's oldest entry is min(enqueued_at).
CREATE INDEX secondary_writes_due_idx ON secondary_writes (due_at, enqueued_at);
CREATE INDEX secondary_writes_enqueued_idx ON secondary_writes (enqueued_at);
