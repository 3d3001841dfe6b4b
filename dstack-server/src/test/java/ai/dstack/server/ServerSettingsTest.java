package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {
    private static final Path HOME = Path.of("/home/someone");

    private static ServerSettings read(Map<String, String> env) {
        return ServerSettings.fromEnvironment(env::get, HOME);
    }

    @Test
    void defaultsAreDstacks() {
        ServerSettings settings = read(Map.of());

        assertThat(settings.serverDirectory()).isEqualTo(Path.of("/home/someone/.dstack/server"));
        assertThat(settings.effectiveDatabaseUrl()).isEqualTo("jdbc:sqlite:/home/someone/.dstack/server/data/sqlite.db");
        assertThat(settings.usesSqlite()).isTrue();
        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(3000);
        assertThat(settings.logLevel()).isEqualTo("INFO");
        assertThat(settings.storeOptions().maxConnections()).isEqualTo(40);
        assertThat(settings.configFile()).isEqualTo(Path.of("/home/someone/.dstack/server/config.yml"));
        assertThat(settings.cloudWatchLogGroup()).isNull();
        assertThat(settings.litestreamReplicaUrl()).isNull();
        assertThat(settings.configDisabled()).isFalse();
        assertThat(settings.localFleetBlocks()).as("one block per CPU").isNull();
        assertThat(settings.ui()).isTrue();
    }

    @Test
    void jobImagesAreDstacksUnlessASiteNamesItsOwnAndAWrongOneIsRefusedByName() {
        assertThat(read(Map.of()).jobImages().baseImage(false)).isEqualTo("dstackai/base:0.15-base-ubuntu24.04");
        ServerSettings site = read(Map.of("DSTACK_SERVER_BASE_IMAGE", "registry.example.com:5000/dstack/base",
                "DSTACK_SERVER_BASE_IMAGE_VERSION", "0.16", "DSTACK_SERVER_DIND_IMAGE", "registry.example.com:5000/dind"));
        assertThat(site.jobImages().baseImage(true)).isEqualTo("registry.example.com:5000/dstack/base:0.16-devel-ubuntu24.04");
        assertThat(site.jobImages().dindImage()).isEqualTo("registry.example.com:5000/dind");
        assertThatThrownBy(() -> read(Map.of("DSTACK_SERVER_BASE_IMAGE", "Not An Image")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("DSTACK_SERVER_BASE_IMAGE='Not An Image'");
    }

    @Test
    void theWebUiIsTurnedOnAndOff() {
        assertThat(read(Map.of("DSTACK_SERVER_UI", "off")).ui()).isFalse();
        assertThat(read(Map.of("DSTACK_SERVER_UI", "OFF")).ui()).isFalse();
        assertThat(read(Map.of("DSTACK_SERVER_UI", "false")).ui()).isFalse();
        assertThat(read(Map.of("DSTACK_SERVER_UI", "on")).ui()).isTrue();
        assertThat(read(Map.of("DSTACK_SERVER_UI", " ")).ui()).isTrue();
        assertThat(read(Map.of("DSTACK_SERVER_UI", "off")).withOverrides("0.0.0.0", 1, null, null).ui()).isFalse();
    }

    @Test
    void readsEveryVariable() {
        ServerSettings settings = read(Map.ofEntries(
                Map.entry("DSTACK_SERVER_DIR", "~/srv"),
                Map.entry("DSTACK_DATABASE_URL", "postgresql+asyncpg://user:password@db.internal:5432/dstack"),
                Map.entry("DSTACK_SERVER_ADMIN_TOKEN", "tok"),
                Map.entry("DSTACK_SERVER_HOST", "0.0.0.0"),
                Map.entry("DSTACK_SERVER_PORT", "8080"),
                Map.entry("DSTACK_SERVER_LOG_LEVEL", "debug"),
                Map.entry("DSTACK_DB_POOL_SIZE", "10"),
                Map.entry("DSTACK_DB_MAX_OVERFLOW", "0"),
                Map.entry("DSTACK_SERVER_CLOUDWATCH_LOG_GROUP", "/dstack/logs"),
                Map.entry("DSTACK_SERVER_CLOUDWATCH_LOG_REGION", "eu-west-1"),
                Map.entry("LITESTREAM_REPLICA_URL", "s3://bucket/dstack"),
                Map.entry("DSTACK_SERVER_CONFIG_DISABLED", ""),
                Map.entry("DSTACK_SERVER_LOCAL_FLEET_BLOCKS", "8")));

        assertThat(settings.serverDirectory()).isEqualTo(Path.of("/home/someone/srv"));
        assertThat(settings.effectiveDatabaseUrl()).isEqualTo("postgresql+asyncpg://user:password@db.internal:5432/dstack");
        assertThat(settings.usesSqlite()).isFalse();
        assertThat(settings.adminToken()).isEqualTo("tok");
        assertThat(settings.host()).isEqualTo("0.0.0.0");
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.logLevel()).isEqualTo("DEBUG");
        assertThat(settings.storeOptions().maxConnections()).isEqualTo(10);
        assertThat(settings.cloudWatchLogGroup()).isEqualTo("/dstack/logs");
        assertThat(settings.cloudWatchLogRegion()).isEqualTo("eu-west-1");
        assertThat(settings.litestreamReplicaUrl()).isEqualTo("s3://bucket/dstack");
        assertThat(settings.configDisabled()).as("a flag is on when present, even empty").isTrue();
        assertThat(settings.localFleetBlocks()).isEqualTo(8);
    }

    @Test
    void acceptsEveryDatabaseUrlForm() {
        for (String url : new String[] {"postgresql://u:p@h:5432/db", "postgres://h/db", "sqlite+aiosqlite:////var/db.sqlite",
                "sqlite:///relative.db", "jdbc:postgresql://h:5432/db?user=u", "jdbc:sqlite:/var/db.sqlite"}) {
            assertThat(read(Map.of("DSTACK_DATABASE_URL", url)).databaseUrl()).isEqualTo(url);
        }
    }

    @Test
    void aBadValueIsOneLineNamingTheVariable() {
        assertBad("DSTACK_SERVER_PORT", "http", "DSTACK_SERVER_PORT is 'http': not a port number (0-65535)");
        assertBad("DSTACK_SERVER_PORT", "70000", "DSTACK_SERVER_PORT is '70000': not a port number (0-65535)");
        assertBad("DSTACK_DB_POOL_SIZE", "0", "DSTACK_DB_POOL_SIZE is '0': must be at least 1");
        assertBad("DSTACK_SERVER_LOCAL_FLEET", "everyone",
                "DSTACK_SERVER_LOCAL_FLEET is 'everyone': expected admins (the default), members or off");
        assertBad("DSTACK_DB_MAX_OVERFLOW", "lots", "DSTACK_DB_MAX_OVERFLOW is 'lots': not a whole number");
        assertBad("DSTACK_SERVER_LOCAL_FLEET_BLOCKS", "0", "DSTACK_SERVER_LOCAL_FLEET_BLOCKS is '0': must be at least 1");
        assertBad("DSTACK_SERVER_LOG_LEVEL", "LOUD",
                "DSTACK_SERVER_LOG_LEVEL is 'LOUD': expected TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL");
        assertBad("DSTACK_SERVER_CLOUDWATCH_LOG_GROUP", "bad group!", "DSTACK_SERVER_CLOUDWATCH_LOG_GROUP is "
                + "'bad group!': not a CloudWatch log group name (1-512 of letters, digits, '.', '-', '_', '/', '#')");
        assertBad("LITESTREAM_REPLICA_URL", "bucket", "LITESTREAM_REPLICA_URL is 'bucket': expected a replica URL "
                + "such as s3://bucket/path");
        assertBad("DSTACK_DATABASE_URL", "mysql://u:hunter2@h/db", "DSTACK_DATABASE_URL: Invalid database URL "
                + "mysql://u:***@h/db: unsupported scheme; use jdbc:sqlite:<file>, jdbc:postgresql://..., "
                + "sqlite+aiosqlite:////<file> or postgresql+asyncpg://user:password@host:port/database");
        assertBad("DSTACK_SERVER_UI", "maybe", "DSTACK_SERVER_UI is 'maybe': expected on or off");
        assertThatThrownBy(() -> read(Map.of("DSTACK_SERVER_CLOUDWATCH_LOG_REGION", "us-east-1")))
                .hasMessageContaining("DSTACK_SERVER_CLOUDWATCH_LOG_GROUP is not");
    }

    private static void assertBad(String name, String value, String message) {
        assertThatThrownBy(() -> read(Map.of(name, value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage(message);
    }
}
