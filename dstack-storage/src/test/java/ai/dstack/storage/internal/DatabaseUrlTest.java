package ai.dstack.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void dstacksAsyncpgUrlBecomesJdbcWithCredentialsMovedToProperties() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql+asyncpg://dstack:s%40cret@db.example.com:5433/dstack");

        assertThat(url.dialect()).isEqualTo(Dialect.POSTGRES);
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:5433/dstack");
        assertThat(url.user()).isEqualTo("dstack");
        assertThat(url.password()).isEqualTo("s@cret");
        assertThat(url.display()).isEqualTo("postgresql+asyncpg://dstack:***@db.example.com:5433/dstack");
    }

    @Test
    void plainPostgresqlUrlWithoutPortOrPasswordConverts() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://admin@localhost/state");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/state");
        assertThat(url.user()).isEqualTo("admin");
        assertThat(url.password()).isNull();
    }

    @Test
    void asyncpgSslParameterBecomesSslmode() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql+asyncpg://u:p@h:5432/db?ssl=require&application_name=x");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?sslmode=require&application_name=x");
    }

    @Test
    void jdbcPostgresUrlPassesThroughWithItsPasswordMaskedForDisplay() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://h:5432/db?user=u&password=hunter2&ssl=true");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?user=u&password=hunter2&ssl=true");
        assertThat(url.user()).isNull();
        assertThat(url.display()).isEqualTo("jdbc:postgresql://h:5432/db?user=u&password=***&ssl=true");
    }

    @Test
    void dstacksAiosqliteUrlWithFourSlashesIsAnAbsolutePath() {
        DatabaseUrl url = DatabaseUrl.parse("sqlite+aiosqlite:////var/lib/dstack/data/sqlite.db");

        assertThat(url.dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(url.sqliteFile()).isEqualTo(Path.of("/var/lib/dstack/data/sqlite.db"));
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:sqlite:/var/lib/dstack/data/sqlite.db");
    }

    @Test
    void sqliteUrlWithThreeSlashesIsRelativeToTheWorkingDirectory() {
        DatabaseUrl url = DatabaseUrl.parse("sqlite:///data/sqlite.db");

        assertThat(url.sqliteFile()).isEqualTo(Path.of("data/sqlite.db").toAbsolutePath());
    }

    @Test
    void jdbcSqliteUrlKeepsItsFile() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:sqlite:/tmp/x/state.db");

        assertThat(url.sqliteFile()).isEqualTo(Path.of("/tmp/x/state.db"));
        assertThat(url.display()).isEqualTo("jdbc:sqlite:/tmp/x/state.db");
    }

    @Test
    void supportsIsDecidedByTheSchemeAlone() {
        assertThat(DatabaseUrl.isSupported("jdbc:sqlite:/x.db")).isTrue();
        assertThat(DatabaseUrl.isSupported("jdbc:postgresql://h/db")).isTrue();
        assertThat(DatabaseUrl.isSupported("sqlite+aiosqlite:////x.db")).isTrue();
        assertThat(DatabaseUrl.isSupported("postgresql+asyncpg://u:p@h/db")).isTrue();
        assertThat(DatabaseUrl.isSupported("postgres://u@h/db")).isTrue();
        assertThat(DatabaseUrl.isSupported("jdbc:mysql://h/db")).isFalse();
        assertThat(DatabaseUrl.isSupported("mysql+aiomysql://h/db")).isFalse();
        assertThat(DatabaseUrl.isSupported(null)).isFalse();
    }

    @Test
    void unsupportedOrIncompleteUrlsAreInvalidRequestsThatNameTheUrlWithoutItsPassword() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://root:hunter2@h/db"))
                .isInstanceOf(DstackException.class)
                .hasMessageContaining("mysql://root:***@h/db")
                .hasMessageContaining("unsupported scheme")
                .hasMessageNotContaining("hunter2")
                .extracting(e -> ((DstackException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql+asyncpg://u:hunter2@h:5432/"))
                .hasMessageContaining("no database name")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:sqlite::memory:")).hasMessageContaining("must be a file");
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:sqlite:/x.db?journal_mode=DELETE"))
                .hasMessageContaining("parameters are not supported");
        assertThatThrownBy(() -> DatabaseUrl.parse(" ")).hasMessageContaining("empty");
    }
}
