-- The engine's state: one logical schema for SQLite and PostgreSQL. Table and column names follow dstack's
-- SQLAlchemy models (src/dstack/_internal/server/models.py) so that its data can be copied over.
-- ${uuid} and ${timestamp} are the dialect's id and timestamp types (see Dialect). Statuses, roles and reasons hold
-- dstack's wire values (e.g. 'running'); dstack's own tables hold enum names ('RUNNING').
-- Pipeline tables carry lock_owner / lock_token / lock_expires_at: the leases of background processing.

CREATE TABLE users (
    id              ${uuid}       NOT NULL,
    name            VARCHAR(50)   NOT NULL,
    created_at      ${timestamp}  NOT NULL,
    token           VARCHAR(2000) NOT NULL,
    token_hash      VARCHAR(2000) NOT NULL,
    global_role     VARCHAR(100)  NOT NULL,
    active          BOOLEAN       NOT NULL DEFAULT TRUE,
    deleted         BOOLEAN       NOT NULL DEFAULT FALSE,
    original_name   VARCHAR(50),
    ssh_public_key  TEXT,
    ssh_private_key TEXT,
    email           VARCHAR(200),
    projects_quota  INTEGER       NOT NULL DEFAULT 10,
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT uq_users_name UNIQUE (name),
    CONSTRAINT uq_users_token UNIQUE (token),
    CONSTRAINT uq_users_token_hash UNIQUE (token_hash)
);
CREATE INDEX ix_users_email ON users (email);

CREATE TABLE projects (
    id              ${uuid}      NOT NULL,
    name            VARCHAR(50)  NOT NULL,
    owner_id        ${uuid}      NOT NULL,
    created_at      ${timestamp} NOT NULL,
    is_public       BOOLEAN      NOT NULL DEFAULT FALSE,
    deleted         BOOLEAN      NOT NULL DEFAULT FALSE,
    original_name   VARCHAR(50),
    ssh_public_key  TEXT         NOT NULL,
    ssh_private_key TEXT         NOT NULL,
    CONSTRAINT pk_projects PRIMARY KEY (id),
    CONSTRAINT uq_projects_name UNIQUE (name),
    CONSTRAINT fk_projects_owner_id_users FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE members (
    id           ${uuid}      NOT NULL,
    project_id   ${uuid}      NOT NULL,
    user_id      ${uuid}      NOT NULL,
    project_role VARCHAR(100) NOT NULL,
    member_num   INTEGER      NOT NULL DEFAULT 0,
    CONSTRAINT pk_members PRIMARY KEY (id),
    CONSTRAINT uq_members_project_id_user_id UNIQUE (project_id, user_id),
    CONSTRAINT fk_members_project_id_projects FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT fk_members_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_members_user_id ON members (user_id);

CREATE TABLE backends (
    id            ${uuid}      NOT NULL,
    project_id    ${uuid}      NOT NULL,
    type          VARCHAR(100) NOT NULL,
    config        TEXT         NOT NULL,
    auth          TEXT         NOT NULL,
    source_config TEXT,
    source_auth   TEXT,
    CONSTRAINT pk_backends PRIMARY KEY (id),
    CONSTRAINT uq_backends_project_id_type UNIQUE (project_id, type),
    CONSTRAINT fk_backends_project_id_projects FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);

CREATE TABLE repos (
    id         ${uuid}      NOT NULL,
    project_id ${uuid}      NOT NULL,
    name       VARCHAR(100) NOT NULL,
    type       VARCHAR(100) NOT NULL,
    info       TEXT         NOT NULL,
    creds      TEXT,
    CONSTRAINT pk_repos PRIMARY KEY (id),
    CONSTRAINT uq_repos_project_id_name UNIQUE (project_id, name),
    CONSTRAINT fk_repos_project_id_projects FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);

CREATE TABLE secrets (
    id         ${uuid}      NOT NULL,
    project_id ${uuid}      NOT NULL,
    name       VARCHAR(200) NOT NULL,
    value      TEXT         NOT NULL,
    created_at ${timestamp} NOT NULL,
    updated_at ${timestamp} NOT NULL,
    CONSTRAINT pk_secrets PRIMARY KEY (id),
    CONSTRAINT uq_secrets_project_id_name UNIQUE (project_id, name),
    CONSTRAINT fk_secrets_project_id_projects FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);

CREATE TABLE fleets (
    id                           ${uuid}      NOT NULL,
    project_id                   ${uuid}      NOT NULL,
    name                         VARCHAR(100) NOT NULL,
    status                       VARCHAR(100) NOT NULL,
    status_message               TEXT,
    spec                         TEXT         NOT NULL,
    created_at                   ${timestamp} NOT NULL,
    last_processed_at            ${timestamp} NOT NULL,
    skip_min_processing_interval BOOLEAN      NOT NULL DEFAULT FALSE,
    deleted                      BOOLEAN      NOT NULL DEFAULT FALSE,
    deleted_at                   ${timestamp},
    current_master_instance_id   ${uuid},
    consolidation_attempt        INTEGER      NOT NULL DEFAULT 0,
    last_consolidated_at         ${timestamp},
    lock_owner                   VARCHAR(100),
    lock_token                   ${uuid},
    lock_expires_at              ${timestamp},
    CONSTRAINT pk_fleets PRIMARY KEY (id),
    CONSTRAINT fk_fleets_project_id_projects FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);
CREATE INDEX ix_fleets_project_id_name ON fleets (project_id, name);
CREATE INDEX ix_fleets_status ON fleets (status);
CREATE INDEX ix_fleets_pipeline_fetch_q ON fleets (last_processed_at) WHERE deleted = FALSE;

CREATE TABLE instances (
    id                           ${uuid}       NOT NULL,
    project_id                   ${uuid}       NOT NULL,
    fleet_id                     ${uuid},
    name                         VARCHAR(200)  NOT NULL,
    instance_num                 INTEGER       NOT NULL DEFAULT 0,
    status                       VARCHAR(100)  NOT NULL,
    unreachable                  BOOLEAN       NOT NULL DEFAULT FALSE,
    health                       VARCHAR(100)  NOT NULL DEFAULT 'healthy',
    created_at                   ${timestamp}  NOT NULL,
    last_processed_at            ${timestamp}  NOT NULL,
    skip_min_processing_interval BOOLEAN       NOT NULL DEFAULT FALSE,
    deleted                      BOOLEAN       NOT NULL DEFAULT FALSE,
    deleted_at                   ${timestamp},
    started_at                   ${timestamp},
    finished_at                  ${timestamp},
    backend                      VARCHAR(100),
    backend_data                 TEXT,
    region                       VARCHAR(2000),
    price                        DOUBLE PRECISION,
    offer                        TEXT,
    job_provisioning_data        TEXT,
    profile                      TEXT,
    requirements                 TEXT,
    instance_configuration       TEXT,
    remote_connection_info       TEXT,
    termination_policy           VARCHAR(100),
    termination_idle_time        INTEGER,
    termination_deadline         ${timestamp},
    termination_reason           VARCHAR(4000),
    termination_reason_message   VARCHAR(4000),
    first_termination_retry_at   ${timestamp},
    last_termination_retry_at    ${timestamp},
    total_blocks                 INTEGER,
    busy_blocks                  INTEGER       NOT NULL DEFAULT 0,
    last_job_processed_at        ${timestamp},
    provisioning_job_id          ${uuid},
    lock_owner                   VARCHAR(100),
    lock_token                   ${uuid},
    lock_expires_at              ${timestamp},
    CONSTRAINT pk_instances PRIMARY KEY (id),
    CONSTRAINT fk_instances_project_id_projects FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT fk_instances_fleet_id_fleets FOREIGN KEY (fleet_id) REFERENCES fleets (id)
);
CREATE INDEX ix_instances_fleet_id ON instances (fleet_id);
CREATE INDEX ix_instances_project_id ON instances (project_id);
CREATE INDEX ix_instances_status ON instances (status);
CREATE INDEX ix_instances_pipeline_fetch_q ON instances (last_processed_at) WHERE deleted = FALSE;

CREATE TABLE runs (
    id                           ${uuid}      NOT NULL,
    project_id                   ${uuid}      NOT NULL,
    user_id                      ${uuid}      NOT NULL,
    repo_id                      ${uuid},
    fleet_id                     ${uuid},
    run_name                     VARCHAR(100) NOT NULL,
    status                       VARCHAR(100) NOT NULL,
    termination_reason           VARCHAR(100),
    submitted_at                 ${timestamp} NOT NULL,
    last_processed_at            ${timestamp} NOT NULL,
    skip_min_processing_interval BOOLEAN      NOT NULL DEFAULT FALSE,
    next_triggered_at            ${timestamp},
    resubmission_attempt         INTEGER      NOT NULL DEFAULT 0,
    priority                     INTEGER      NOT NULL DEFAULT 0,
    deployment_num               INTEGER      NOT NULL DEFAULT 0,
    desired_replica_count        INTEGER      NOT NULL DEFAULT 0,
    desired_replica_counts       TEXT,
    run_spec                     TEXT         NOT NULL,
    service_spec                 TEXT,
    deleted                      BOOLEAN      NOT NULL DEFAULT FALSE,
    lock_owner                   VARCHAR(100),
    lock_token                   ${uuid},
    lock_expires_at              ${timestamp},
    CONSTRAINT pk_runs PRIMARY KEY (id),
    CONSTRAINT fk_runs_project_id_projects FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT fk_runs_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_runs_repo_id_repos FOREIGN KEY (repo_id) REFERENCES repos (id) ON DELETE CASCADE,
    CONSTRAINT fk_runs_fleet_id_fleets FOREIGN KEY (fleet_id) REFERENCES fleets (id)
);
CREATE INDEX ix_runs_project_id_run_name ON runs (project_id, run_name);
CREATE INDEX ix_runs_fleet_id ON runs (fleet_id);
CREATE INDEX ix_runs_status ON runs (status);
CREATE INDEX ix_submitted_at_id ON runs (submitted_at DESC, id);
CREATE INDEX ix_runs_pipeline_fetch_q ON runs (last_processed_at)
    WHERE status NOT IN ('terminated', 'failed', 'done');

CREATE TABLE jobs (
    id                            ${uuid}      NOT NULL,
    project_id                    ${uuid}      NOT NULL,
    run_id                        ${uuid}      NOT NULL,
    fleet_id                      ${uuid},
    instance_id                   ${uuid},
    used_instance_id              ${uuid},
    run_name                      VARCHAR(100) NOT NULL,
    job_name                      VARCHAR(200) NOT NULL,
    job_num                       INTEGER      NOT NULL,
    replica_num                   INTEGER      NOT NULL DEFAULT 0,
    submission_num                INTEGER      NOT NULL DEFAULT 0,
    deployment_num                INTEGER      NOT NULL DEFAULT 0,
    status                        VARCHAR(100) NOT NULL,
    termination_reason            VARCHAR(100),
    termination_reason_message    TEXT,
    exit_status                   INTEGER,
    submitted_at                  ${timestamp} NOT NULL,
    last_processed_at             ${timestamp} NOT NULL,
    skip_min_processing_interval  BOOLEAN      NOT NULL DEFAULT FALSE,
    finished_at                   ${timestamp},
    started_at                    ${timestamp},
    disconnected_at               ${timestamp},
    remove_at                     ${timestamp},
    volumes_detached_at           ${timestamp},
    instance_assigned             BOOLEAN      NOT NULL DEFAULT FALSE,
    waiting_master_job            BOOLEAN,
    graceful_termination_attempts INTEGER,
    inactivity_secs               INTEGER,
    runner_timestamp              BIGINT,
    job_spec_data                 TEXT         NOT NULL,
    job_provisioning_data         TEXT,
    job_runtime_data              TEXT,
    image_pull_progress           TEXT,
    lock_owner                    VARCHAR(100),
    lock_token                    ${uuid},
    lock_expires_at               ${timestamp},
    CONSTRAINT pk_jobs PRIMARY KEY (id),
    CONSTRAINT fk_jobs_project_id_projects FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT fk_jobs_run_id_runs FOREIGN KEY (run_id) REFERENCES runs (id) ON DELETE CASCADE,
    CONSTRAINT fk_jobs_fleet_id_fleets FOREIGN KEY (fleet_id) REFERENCES fleets (id),
    CONSTRAINT fk_jobs_instance_id_instances FOREIGN KEY (instance_id) REFERENCES instances (id) ON DELETE CASCADE
);
CREATE INDEX ix_jobs_run_id ON jobs (run_id);
CREATE INDEX ix_jobs_instance_id ON jobs (instance_id);
CREATE INDEX ix_jobs_status ON jobs (status);
CREATE INDEX ix_jobs_pipeline_fetch_q ON jobs (last_processed_at)
    WHERE status NOT IN ('terminated', 'aborted', 'failed', 'done');
