package ai.dstack.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Log storage from dstack's variables, and the warning for replicas without external logs. */
class ServerDeploymentTest {
    static final Path SERVER_DIR = Path.of("/srv/dstack");
    static final String POSTGRES = "postgresql+asyncpg://dstack:secret@db.internal:5432/dstack";

    @Test
    void filesAreTheDefaultLogStorage() {
        ServerDeployment deployment = ServerDeployment.fromEnvironment(Map.of(), SERVER_DIR);

        assertThat(deployment.logStorage()).isEqualTo(new LogStorageSettings("file", Map.of()));
        assertThat(deployment.warnings()).isEmpty();
    }

    @Test
    void aCloudWatchLogGroupSelectsCloudWatchWithItsRegion() {
        ServerDeployment deployment = ServerDeployment.fromEnvironment(Map.of(
                "DSTACK_SERVER_CLOUDWATCH_LOG_GROUP", "dstack-runs",
                "DSTACK_SERVER_CLOUDWATCH_LOG_REGION", "eu-west-1"), SERVER_DIR);

        assertThat(deployment.logStorage()).isEqualTo(new LogStorageSettings("cloudwatch",
                Map.of("log_group", "dstack-runs", "region", "eu-west-1")));
        assertThat(ServerDeployment.fromEnvironment(Map.of("DSTACK_SERVER_CLOUDWATCH_LOG_GROUP", "g"), SERVER_DIR)
                .logStorage().settings()).isEqualTo(Map.of("log_group", "g"));
    }

    @Test
    void aRegionWithoutALogGroupIsAnError() {
        assertThatThrownBy(() -> ServerDeployment.fromEnvironment(
                Map.of("DSTACK_SERVER_CLOUDWATCH_LOG_REGION", "eu-west-1"), SERVER_DIR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DSTACK_SERVER_CLOUDWATCH_LOG_REGION is set but DSTACK_SERVER_CLOUDWATCH_LOG_GROUP is not: "
                        + "set the log group to store logs in CloudWatch, or unset the region");
    }

    @Test
    void postgresWithFileLogsIsWarnedAboutInEveryUrlForm() {
        for (String url : new String[] {POSTGRES, "postgresql://u:p@h/db", "postgres://u:p@h/db",
                "jdbc:postgresql://h:5432/db"}) {
            assertThat(ServerDeployment.fromEnvironment(Map.of("DSTACK_DATABASE_URL", url), SERVER_DIR).warnings())
                    .as(url)
                    .containsExactly("PostgreSQL is in use but job logs are kept in files under /srv/dstack/projects: "
                            + "several server replicas need an external log storage (set "
                            + "DSTACK_SERVER_CLOUDWATCH_LOG_GROUP); otherwise each replica serves only the logs it wrote");
        }
    }

    @Test
    void postgresWithCloudWatchOrSqliteWithFilesIsNotWarnedAbout() {
        assertThat(ServerDeployment.fromEnvironment(Map.of("DSTACK_DATABASE_URL", POSTGRES,
                "DSTACK_SERVER_CLOUDWATCH_LOG_GROUP", "dstack-runs"), SERVER_DIR).warnings()).isEmpty();
        assertThat(ServerDeployment.fromEnvironment(Map.of("DSTACK_DATABASE_URL",
                "sqlite+aiosqlite:////srv/dstack/data/sqlite.db"), SERVER_DIR).warnings()).isEmpty();
    }
}
