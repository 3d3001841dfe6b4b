package ai.dstack.storage.internal;

import ai.dstack.spi.storage.SecretRow;
import ai.dstack.spi.storage.SecretStore;

final class JdbcSecretStore extends JdbcProjectScopedStore<SecretRow> implements SecretStore {
    private static final RecordSql SQL = RecordSql.of("secrets", SecretRow.class);

    JdbcSecretStore(TxContext tx) {
        super(tx, SQL, SecretRow.class, "name",
                row -> "Secret '" + row.name() + "' of project " + row.projectId());
    }
}
