-- Leases on background jobs: of several replicas, the one holding a job's lease runs it. A lease
-- ends at expires_at, judged by the database's clock (now()), so the replicas' clocks do not
-- matter; a holder renews it by moving expires_at forward. One row per job name, kept after the
-- lease ends (the next holder overwrites it).
CREATE TABLE job_leases (
    job        text        PRIMARY KEY,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL
);
