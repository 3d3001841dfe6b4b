package ai.dstack.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StateStoreProvider;
import ai.dstack.spi.storage.StoreTransaction;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcStateStoreProviderTest {

    @Test
    void isDiscoveredByServiceLoaderAndOpensTheUrlsItSupports(@TempDir Path directory) {
        List<StateStoreProvider> providers = ServiceLoader.load(StateStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        String url = "sqlite+aiosqlite:///" + directory.resolve("sqlite.db");

        StateStoreProvider provider = providers.stream().filter(p -> p.supports(url)).findFirst().orElseThrow();

        assertThat(provider).isInstanceOf(JdbcStateStoreProvider.class);
        try (StateStore store = provider.open(url)) {
            store.migrate();
            assertThat(store.description()).isEqualTo("SQLite " + url);
            assertThat(store.inReadOnlyTransaction((StoreTransaction tx) -> tx.users().list().size())).isZero();
        }
    }

    @Test
    void anUnsupportedUrlIsAnInvalidRequest() {
        JdbcStateStoreProvider provider = new JdbcStateStoreProvider();

        assertThat(provider.supports("mysql+aiomysql://root:pw@h/db")).isFalse();
        assertThatThrownBy(() -> provider.open("mysql+aiomysql://root:pw@h/db"))
                .isInstanceOfSatisfying(DstackException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessage("Invalid database URL mysql+aiomysql://root:***@h/db: unsupported scheme; use "
                        + "jdbc:sqlite:<file>, jdbc:postgresql://..., sqlite+aiosqlite:////<file> or "
                        + "postgresql+asyncpg://user:password@host:port/database");
    }

    @Test
    void aClosedStoreSaysSo(@TempDir Path directory) {
        StateStore store = new JdbcStateStoreProvider().open("jdbc:sqlite:" + directory.resolve("s.db"));
        store.close();
        store.close();

        assertThatThrownBy(store::migrate).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
