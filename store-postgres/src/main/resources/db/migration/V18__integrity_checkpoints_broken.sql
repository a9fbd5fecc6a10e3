-- When a verification last found the chain broken while it had this checkpoint (NULL: whole at its
-- last verification). A marked chain is walked from its start by every run until it holds again, so
-- a break behind the checkpoint, which only a walk from the start finds, is reported by every run.
ALTER TABLE integrity_checkpoints ADD COLUMN broken_at timestamptz;
