-- Samples of jobs' resource usage (dstack's job_metrics_points) and the event log (dstack's events and
-- event_targets). Per-GPU values are JSON arrays. Event actors and targets are not foreign keys: an event outlives
-- what it is about (dstack shows deleted actors and targets as such).

CREATE TABLE job_metrics_points (
    id                       ${uuid}  NOT NULL,
    job_id                   ${uuid}  NOT NULL,
    timestamp_micro          BIGINT   NOT NULL,
    cpu_usage_micro          BIGINT   NOT NULL,
    memory_usage_bytes       BIGINT   NOT NULL,
    memory_working_set_bytes BIGINT   NOT NULL,
    cpus_detected            INTEGER  NOT NULL,
    memory_total_bytes       BIGINT   NOT NULL,
    gpus_memory_total_bytes  TEXT     NOT NULL,
    gpus_memory_usage_bytes  TEXT     NOT NULL,
    gpus_util_percent        TEXT     NOT NULL,
    CONSTRAINT pk_job_metrics_points PRIMARY KEY (id),
    CONSTRAINT fk_job_metrics_points_job_id_jobs FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);
CREATE INDEX ix_job_metrics_points_job_id_timestamp_micro ON job_metrics_points (job_id, timestamp_micro);

CREATE TABLE events (
    id            ${uuid}      NOT NULL,
    message       TEXT         NOT NULL,
    recorded_at   ${timestamp} NOT NULL,
    actor_user_id ${uuid},
    CONSTRAINT pk_events PRIMARY KEY (id)
);
CREATE INDEX ix_events_recorded_at_id ON events (recorded_at, id);

CREATE TABLE event_targets (
    event_id          ${uuid}      NOT NULL,
    position          INTEGER      NOT NULL,
    entity_type       VARCHAR(100) NOT NULL,
    entity_project_id ${uuid},
    entity_id         ${uuid}      NOT NULL,
    entity_name       VARCHAR(200) NOT NULL,
    CONSTRAINT pk_event_targets PRIMARY KEY (event_id, position),
    CONSTRAINT fk_event_targets_event_id_events FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
);
CREATE INDEX ix_event_targets_entity_id ON event_targets (entity_id);
CREATE INDEX ix_event_targets_entity_project_id ON event_targets (entity_project_id);
