-- 0004_auth: local accounts, owners' project assignments, sign-in attempts and backups.
-- Passwords are stored only as argon2 hashes (perfwatch.auth); audit rows never hold them.

CREATE SEQUENCE seq_user_id START 1;
CREATE SEQUENCE seq_backup_id START 1;

-- One row per person who may sign in. role: leader 领导, finance 财务, owner 项目负责人, admin 管理员.
-- oidc_email maps a single-sign-on identity (st.user.email) to this account; unique by code, not
-- by index (an indexed column would make DuckDB update it as delete + insert).
CREATE TABLE users (
    id             BIGINT PRIMARY KEY DEFAULT nextval('seq_user_id'),
    username       VARCHAR NOT NULL UNIQUE,
    display_name   VARCHAR,
    role           VARCHAR NOT NULL CHECK (role IN ('leader', 'finance', 'owner', 'admin')),
    password_hash  VARCHAR,                  -- argon2id; NULL = single sign-on only
    oidc_email     VARCHAR,
    disabled       BOOLEAN NOT NULL DEFAULT false,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Projects an owner (项目负责人) may enter results for.
CREATE TABLE user_projects (
    user_id     BIGINT NOT NULL,             -- users.id (no foreign keys: DuckDB cannot update referenced rows)
    project_id  BIGINT NOT NULL,             -- projects.id
    PRIMARY KEY (user_id, project_id)
);

-- Every sign-in attempt, for the rate limit (it holds across sessions and restarts).
-- outcome: ok, bad_password, unknown_user, disabled, locked, unknown_email.
CREATE TABLE login_attempts (
    username  VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    ok        BOOLEAN NOT NULL,
    outcome   VARCHAR NOT NULL
);

-- Backups written by `python -m perfwatch backup` or the 数据备份 page.
CREATE TABLE backups (
    id        BIGINT PRIMARY KEY DEFAULT nextval('seq_backup_id'),
    created_at TIMESTAMP NOT NULL,
    path      VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    manifest  JSON
);
