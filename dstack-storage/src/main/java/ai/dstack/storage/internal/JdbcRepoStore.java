package ai.dstack.storage.internal;

import ai.dstack.spi.storage.RepoRow;
import ai.dstack.spi.storage.RepoStore;

final class JdbcRepoStore extends JdbcProjectScopedStore<RepoRow> implements RepoStore {
    private static final RecordSql SQL = RecordSql.of("repos", RepoRow.class);

    JdbcRepoStore(TxContext tx) {
        super(tx, SQL, RepoRow.class, "name",
                row -> "Repo '" + row.name() + "' of project " + row.projectId());
    }
}
