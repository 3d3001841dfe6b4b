package ai.dstack.storage.internal;

import ai.dstack.spi.storage.BackendRow;
import ai.dstack.spi.storage.BackendStore;

final class JdbcBackendStore extends JdbcProjectScopedStore<BackendRow> implements BackendStore {
    private static final RecordSql SQL = RecordSql.of("backends", BackendRow.class);

    JdbcBackendStore(TxContext tx) {
        super(tx, SQL, BackendRow.class, "type",
                row -> "Backend '" + row.type() + "' of project " + row.projectId());
    }
}
