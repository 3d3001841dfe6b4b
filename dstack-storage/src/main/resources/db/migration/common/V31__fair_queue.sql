-- A fair order across users among waiting jobs (#13). Each job gets a place in the queue when it is inserted:
--   queue_seq = 1 + the largest queue_seq of its user's jobs still waiting (status 'submitted') that were submitted
--               before it, or, when she has none, the smallest queue_seq of anyone's waiting jobs (0 on an
--               empty queue).
-- Claims take waiting jobs by run priority, then queue_seq, then submission time, so equal-priority work interleaves
-- user by user (A's 1st, B's 1st, A's 2nd, ...). A user who joins later starts at the head of what is waiting, beside
-- the others' next jobs, not at 0: she does not jump ahead of everyone, nor wait behind everyone's whole backlog.
-- queue_user_id is the run's user, kept on the job so that both look-ups are index ranges over waiting jobs only.
ALTER TABLE jobs ADD COLUMN queue_user_id ${uuid};
ALTER TABLE jobs ADD COLUMN queue_seq BIGINT NOT NULL DEFAULT 0;
UPDATE jobs SET queue_user_id = (SELECT runs.user_id FROM runs WHERE runs.id = jobs.run_id);
CREATE INDEX ix_jobs_queue_user_seq ON jobs (queue_user_id, queue_seq) WHERE status = 'submitted';
CREATE INDEX ix_jobs_queue_seq ON jobs (queue_seq, submitted_at) WHERE status = 'submitted';
