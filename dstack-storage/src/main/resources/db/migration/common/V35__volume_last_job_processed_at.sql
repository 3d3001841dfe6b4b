-- When a job last stopped using a volume (dstack's volumes.last_job_processed_at): auto_cleanup_duration counts a
-- volume's idle time from it (from created_at when no job used it yet).
ALTER TABLE volumes ADD COLUMN last_job_processed_at ${timestamp};
