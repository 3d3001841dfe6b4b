package ai.dstack.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Litestream as dstack's image runs it, with a stand-in {@code litestream} script first on PATH. */
class LitestreamTest {
    static final String REPLICA = "s3://dstack-backups/server";
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir Path dir;

    Path serverDir() {
        return dir.resolve("server");
    }

    Path database() {
        return serverDir().resolve("data").resolve("sqlite.db");
    }

    @Test
    void aMissingDatabaseIsRestoredThenReplicatedUntilTheServerStops() throws Exception {
        StandInLitestream litestream = StandInLitestream.install(dir);
        Path replicaCopy = Files.writeString(dir.resolve("replica.db"), "restored contents");
        ServerDeployment deployment = ServerDeployment.fromEnvironment(
                litestream.environment(REPLICA, Map.of("FAKE_REPLICA_DB", replicaCopy.toString())), serverDir());

        deployment.beforeStart();
        try {
            assertThat(Files.readString(database())).isEqualTo("restored contents");
            await().atMost(WAIT).until(() -> litestream.calls().size() == 2);
            assertThat(litestream.calls()).containsExactly(
                    "restore -if-replica-exists -o " + database() + " " + REPLICA,
                    "replicate " + database() + " " + REPLICA);
            assertThat(deployment.litestream().orElseThrow().isReplicating()).isTrue();
        } finally {
            deployment.close();
        }

        assertThat(deployment.litestream().orElseThrow().isReplicating()).isFalse();
        assertThat(litestream.calls()).last().isEqualTo("stopped " + database());
    }

    @Test
    void anExistingDatabaseIsNotRestoredOnlyReplicated() throws Exception {
        StandInLitestream litestream = StandInLitestream.install(dir);
        Files.createDirectories(database().getParent());
        Files.writeString(database(), "local contents");
        ServerDeployment deployment = ServerDeployment.fromEnvironment(litestream.environment(REPLICA, Map.of()), serverDir());

        deployment.beforeStart();
        try {
            await().atMost(WAIT).until(() -> !litestream.calls().isEmpty());
            assertThat(litestream.calls()).containsExactly("replicate " + database() + " " + REPLICA);
            assertThat(Files.readString(database())).isEqualTo("local contents");
        } finally {
            deployment.close();
        }
    }

    @Test
    void aSqliteFileNamedByTheDatabaseUrlIsTheOneReplicated() throws Exception {
        StandInLitestream litestream = StandInLitestream.install(dir);
        Path elsewhere = dir.resolve("elsewhere").resolve("dstack.db");
        ServerDeployment deployment = ServerDeployment.fromEnvironment(litestream.environment(REPLICA,
                Map.of("DSTACK_DATABASE_URL", "sqlite+aiosqlite:///" + elsewhere)), serverDir());

        assertThat(deployment.litestream().orElseThrow().database()).isEqualTo(elsewhere);
    }

    @Test
    void aFailedRestoreStopsStartUpWithItsExitCode() throws Exception {
        StandInLitestream litestream = StandInLitestream.install(dir);
        ServerDeployment deployment = ServerDeployment.fromEnvironment(
                litestream.environment(REPLICA, Map.of("FAKE_RESTORE_EXIT", "3")), serverDir());

        assertThatThrownBy(deployment::beforeStart)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("litestream restore of " + database() + " from " + REPLICA
                        + " failed with exit code 3 (its output is above)");
        assertThat(deployment.litestream().orElseThrow().isReplicating()).isFalse();
    }

    @Test
    void noLitestreamOnPathIsOneClearError() {
        Map<String, String> environment = Map.of(Litestream.REPLICA_URL, REPLICA, "PATH", dir.toString());

        assertThatThrownBy(() -> ServerDeployment.fromEnvironment(environment, serverDir()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("LITESTREAM_REPLICA_URL is set but there is no litestream executable on PATH (" + dir
                        + "): install Litestream (https://litestream.io/install) or unset LITESTREAM_REPLICA_URL");
    }

    @Test
    void litestreamWithPostgresIsAConfigurationError() throws Exception {
        StandInLitestream litestream = StandInLitestream.install(dir);
        Map<String, String> environment = litestream.environment(REPLICA,
                Map.of("DSTACK_DATABASE_URL", "postgresql+asyncpg://dstack:secret@db:5432/dstack"));

        assertThatThrownBy(() -> ServerDeployment.fromEnvironment(environment, serverDir()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LITESTREAM_REPLICA_URL is set but DSTACK_DATABASE_URL is not SQLite: Litestream replicates "
                        + "SQLite only; unset one of them");
    }

    @Test
    void withoutAReplicaUrlNothingRuns() {
        ServerDeployment deployment = ServerDeployment.fromEnvironment(Map.of("PATH", "/usr/bin:/bin"), serverDir());

        deployment.beforeStart();
        deployment.close();

        assertThat(deployment.litestream()).isEmpty();
        assertThat(database()).doesNotExist();
    }
}
