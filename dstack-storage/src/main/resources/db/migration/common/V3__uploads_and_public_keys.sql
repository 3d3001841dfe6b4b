-- Users' own SSH keys (users/public_keys/*) and uploaded blobs: repo code (repos/upload_code) and file archives
-- (files/upload_archive). Blobs are written once and keyed by the hash their uploader gave.

CREATE TABLE user_public_keys (
    id          ${uuid}       NOT NULL,
    user_id     ${uuid}       NOT NULL,
    created_at  ${timestamp}  NOT NULL,
    name        VARCHAR(200)  NOT NULL,
    type        VARCHAR(100)  NOT NULL,
    fingerprint VARCHAR(200)  NOT NULL,
    key         TEXT          NOT NULL,
    CONSTRAINT pk_user_public_keys PRIMARY KEY (id),
    CONSTRAINT uq_user_public_keys_user_id_fingerprint UNIQUE (user_id, fingerprint),
    CONSTRAINT fk_user_public_keys_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE codes (
    id        ${uuid}      NOT NULL,
    owner_id  ${uuid}      NOT NULL,
    blob_hash VARCHAR(200) NOT NULL,
    blob      ${blob}      NOT NULL,
    CONSTRAINT pk_codes PRIMARY KEY (id),
    CONSTRAINT uq_codes_owner_id_blob_hash UNIQUE (owner_id, blob_hash),
    CONSTRAINT fk_codes_owner_id_repos FOREIGN KEY (owner_id) REFERENCES repos (id) ON DELETE CASCADE
);

CREATE TABLE file_archives (
    id        ${uuid}      NOT NULL,
    owner_id  ${uuid}      NOT NULL,
    blob_hash VARCHAR(200) NOT NULL,
    blob      ${blob}      NOT NULL,
    CONSTRAINT pk_file_archives PRIMARY KEY (id),
    CONSTRAINT uq_file_archives_owner_id_blob_hash UNIQUE (owner_id, blob_hash),
    CONSTRAINT fk_file_archives_owner_id_users FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE
);
