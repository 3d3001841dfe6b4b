-- runs/list pages by keyset (submitted_at, id) within a project (#14): a project's runs newest first, and its active
-- runs alone (what `dstack ps` asks for), each read off an index in page order, however many finished runs the
-- project and the server hold. The active index is partial: JdbcRunStore.listPage writes its condition with the
-- same literals, the form under which SQLite and PostgreSQL use a partial index.
CREATE INDEX ix_runs_project_submitted_at_id ON runs (project_id, submitted_at DESC, id);
CREATE INDEX ix_runs_active_submitted_at_id ON runs (project_id, submitted_at DESC, id)
    WHERE deleted = FALSE AND status NOT IN ('done', 'failed', 'terminated');
