package ai.dstack.storage.internal;

import ai.dstack.spi.storage.UserRow;
import ai.dstack.spi.storage.UserStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

final class JdbcUserStore implements UserStore {
    private static final RecordSql SQL = RecordSql.of("users", UserRow.class);
    private static final String UPDATE = SQL.updateById(Set.of());

    private final TxContext tx;

    JdbcUserStore(TxContext tx) {
        this.tx = tx;
    }

    @Override
    public void insert(UserRow user) {
        Objects.requireNonNull(user, "user is null");
        Inserts.insert(tx, SQL, user, "User '" + user.name() + "' (or its token)");
    }

    @Override
    public Optional<UserRow> find(UUID id) {
        return findBy("id", id);
    }

    @Override
    public Optional<UserRow> findByName(String name) {
        return findBy("name", name);
    }

    @Override
    public Optional<UserRow> findByTokenHash(String tokenHash) {
        return findBy("token_hash", tokenHash);
    }

    @Override
    public List<UserRow> list() {
        return tx.handle().createQuery("SELECT * FROM users ORDER BY name").mapTo(UserRow.class).list();
    }

    @Override
    public boolean update(UserRow user) {
        return tx.handle().createUpdate(UPDATE).bindMethods(Objects.requireNonNull(user, "user is null"))
                .execute() == 1;
    }

    private Optional<UserRow> findBy(String column, Object value) {
        return tx.handle().createQuery("SELECT * FROM users WHERE " + column + " = :value")
                .bind("value", value)
                .mapTo(UserRow.class)
                .findOne();
    }
}
