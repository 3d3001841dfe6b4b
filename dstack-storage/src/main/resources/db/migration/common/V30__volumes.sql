-- Network volumes (dstack's volumes and volumes_attachments). A deleted volume keeps its row (the deleted flag, as
-- dstack), so the name is unique only among volumes that are not deleted.
CREATE TABLE volumes (
    id                        ${uuid}      NOT NULL,
    project_id                ${uuid}      NOT NULL,
    user_id                   ${uuid}      NOT NULL,
    name                      VARCHAR(100) NOT NULL,
    status                    VARCHAR(100) NOT NULL,
    status_message            TEXT,
    configuration             TEXT         NOT NULL,
    volume_provisioning_data  TEXT,
    external                  BOOLEAN      NOT NULL,
    created_at                ${timestamp} NOT NULL,
    last_processed_at         ${timestamp} NOT NULL,
    deleted                   BOOLEAN      NOT NULL,
    deleted_at                ${timestamp},
    to_be_deleted             BOOLEAN      NOT NULL,
    CONSTRAINT pk_volumes PRIMARY KEY (id),
    CONSTRAINT fk_volumes_project_id_projects FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX uq_volumes_project_id_name_active ON volumes (project_id, name) WHERE deleted = FALSE;
CREATE INDEX ix_volumes_project_id ON volumes (project_id);

CREATE TABLE volumes_attachments (
    volume_id       ${uuid} NOT NULL,
    instance_id     ${uuid} NOT NULL,
    attachment_data TEXT,
    CONSTRAINT pk_volumes_attachments PRIMARY KEY (volume_id, instance_id),
    CONSTRAINT fk_volumes_attachments_volume_id_volumes FOREIGN KEY (volume_id) REFERENCES volumes (id) ON DELETE CASCADE,
    CONSTRAINT fk_volumes_attachments_instance_id_instances FOREIGN KEY (instance_id) REFERENCES instances (id) ON DELETE CASCADE
);
CREATE INDEX ix_volumes_attachments_instance_id ON volumes_attachments (instance_id);
