package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.core.DstackEngine;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.spi.logs.LogQuery;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dstack server migrate-db}: a server's SQLite state moved to PostgreSQL, where a server carries on. */
class MigrateDbCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    private String newDatabase(String name) throws Exception {
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("CREATE DATABASE " + name);
        }
        return "postgresql+asyncpg://postgres:postgres@localhost:" + postgres.getPort() + "/" + name;
    }

    private static TaskConfiguration task(String commands) {
        return DstackYaml.parse("type: task\nresources:\n  cpu: 0..\n  memory: 0GB..\nenv:\n"
                + "  - TOKEN=${{ secrets.token }}\ncommands:\n  - " + commands + "\n", "t.yml", TaskConfiguration.class);
    }

    private static String logs(DstackEngine engine, String run) {
        return engine.pollLogs(engine.defaultProject(), run).logs().stream().map(LogEvent::text)
                .collect(Collectors.joining());
    }

    private CliEnvironment environment() {
        return new CliEnvironment(Map.of(), dir.resolve("home"), null, false);
    }

    @Test
    void theStateOfASqliteServerCarriesOnOnPostgres() throws Exception {
        Path server = dir.resolve("server");
        Path sqlite = server.resolve("data").resolve("sqlite.db");
        String adminToken;
        List<Run> before;
        try (DstackEngine engine = DstackEngine.builder().serverDirectory(server).databaseUrl("jdbc:sqlite:" + sqlite)
                .localBlocks(4).build()) {
            adminToken = engine.adminToken();
            engine.setSecret(engine.defaultProject(), "token", "s3cr3t-value");
            for (String commands : List.of("echo first $TOKEN", "echo second; exit 3", "echo third")) {
                engine.awaitFinished(engine.applyRun(task(commands)).runSpec().runName(), WAIT);
            }
            before = engine.project(engine.defaultProject()).listRuns();
        }
        String url = newDatabase("migrated");

        CliRun migrate = CliRun.in(environment(), "server", "migrate-db", "--from", sqlite.toString(), "--to", url);

        assertThat(migrate.exitCode()).as("%s", migrate).isZero();
        assertThat(migrate.out()).contains("Copied users: 1 row\n", "Copied projects: 1 row\n", "Copied secrets: 1 row\n",
                "Copied runs: 3 rows\n", "Copied jobs: 3 rows\n", "the row counts of every table match")
                .contains("postgres:***@").doesNotContain("postgres:postgres@");
        assertThat(migrate.out().indexOf("Copied users")).isLessThan(migrate.out().indexOf("Copied projects"));
        assertThat(migrate.out().indexOf("Copied runs")).isLessThan(migrate.out().indexOf("Copied jobs"));

        try (DstackEngine engine = DstackEngine.builder().serverDirectory(server).databaseUrl(url).localBlocks(4).build()) {
            assertThat(engine.adminToken()).as("the same admin user").isEqualTo(adminToken);
            List<Run> after = engine.project(engine.defaultProject()).listRuns();
            assertThat(after).extracting(r -> r.runSpec().runName())
                    .containsExactlyElementsOf(before.stream().map(r -> r.runSpec().runName()).toList());
            assertThat(after).extracting(Run::status).containsExactlyElementsOf(before.stream().map(Run::status).toList());
            assertThat(after).extracting(r -> r.jobs().get(0).latestSubmission().exitStatus())
                    .containsExactlyElementsOf(before.stream().map(r -> r.jobs().get(0).latestSubmission().exitStatus()).toList());
            String first = after.get(after.size() - 1).runSpec().runName();
            assertThat(logs(engine, first)).contains("first s3cr3t-value");

            Run fresh = engine.awaitFinished(engine.applyRun(task("echo fresh $TOKEN")).runSpec().runName(), WAIT);
            assertThat(fresh.status()).isEqualTo(RunStatus.DONE);
            assertThat(logs(engine, fresh.runSpec().runName())).as("the secret came over").contains("fresh s3cr3t-value");
        }

        CliRun again = CliRun.in(environment(), "server", "migrate-db", "--from", sqlite.toString(), "--to", url);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.errLines()).hasSize(1);
        assertThat(again.err()).contains("is not empty: table ", "copies into an empty database only");
    }

    /**
     * The way dstack's guide goes, with our schema instead of alembic's: {@code migrate-db --schema-only}, then
     * pgloader with the guide's load file ({@code data only}). Runs where pgloader is installed.
     */
    @Test
    void theSchemaSurvivesPgloadersCopy() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("pgloader"), "pgloader is not installed");
        Path server = dir.resolve("server");
        Path sqlite = server.resolve("data").resolve("sqlite.db");
        List<Run> before;
        try (DstackEngine engine = DstackEngine.builder().serverDirectory(server).databaseUrl("jdbc:sqlite:" + sqlite)
                .localBlocks(4).build()) {
            engine.setSecret(engine.defaultProject(), "token", "s3cr3t-value");
            engine.awaitFinished(engine.applyRun(task("echo first $TOKEN; exit 4")).runSpec().runName(), WAIT);
            before = engine.project(engine.defaultProject()).listRuns();
        }
        String url = newDatabase("pgloaded");

        CliRun schema = CliRun.in(environment(), "server", "migrate-db", "--schema-only", "--to", url);
        assertThat(schema.exitCode()).as("%s", schema).isZero();
        Path load = dir.resolve("sqlite_to_psql.load");
        java.nio.file.Files.writeString(load, "LOAD DATABASE\n    FROM sqlite://" + sqlite + "\n    INTO "
                + "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/pgloaded\n\n"
                + "WITH preserve index names, data only\n\n"
                + "EXCLUDING TABLE NAMES LIKE 'flyway_schema_history'\n\n"
                + "SET work_mem to '16MB', maintenance_work_mem to '512 MB';\n");
        Process pgloader = new ProcessBuilder("pgloader", load.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("pgloader.log").toFile()).start();
        assertThat(pgloader.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        assertThat(pgloader.exitValue()).as(java.nio.file.Files.readString(dir.resolve("pgloader.log"))).isZero();

        try (DstackEngine engine = DstackEngine.builder().serverDirectory(server).databaseUrl(url).localBlocks(4).build()) {
            List<Run> after = engine.project(engine.defaultProject()).listRuns();
            assertThat(after).extracting(Run::status).containsExactlyElementsOf(before.stream().map(Run::status).toList());
            assertThat(after.get(0).jobs().get(0).latestSubmission().exitStatus()).isEqualTo(4);
            assertThat(after.get(0).submittedAt()).isEqualTo(before.get(0).submittedAt());
            Run fresh = engine.awaitFinished(engine.applyRun(task("echo fresh $TOKEN")).runSpec().runName(), WAIT);
            assertThat(logs(engine, fresh.runSpec().runName())).contains("fresh s3cr3t-value");
        }
    }

    private static boolean onPath(String program) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(directory -> java.nio.file.Files.isExecutable(Path.of(directory, program)));
    }

    @Test
    void aMissingSourceAndMissingOptionsAreClearErrors() throws Exception {
        String url = newDatabase("untouched");

        CliRun missingFile = CliRun.in(environment(), "server", "migrate-db", "--from", dir.resolve("nope.db").toString(),
                "--to", url);
        assertThat(missingFile.exitCode()).isEqualTo(1);
        assertThat(missingFile.err()).isEqualTo("Error: There is no SQLite database at " + dir.resolve("nope.db") + "\n");

        CliRun noFrom = CliRun.in(environment(), "server", "migrate-db", "--to", url);
        assertThat(noFrom.exitCode()).isEqualTo(2);
        assertThat(noFrom.err()).contains("missing --from");

        CliRun notPostgres = CliRun.in(environment(), "server", "migrate-db", "--from", dir.resolve("nope.db").toString(),
                "--to", "jdbc:sqlite:" + dir.resolve("other.db"));
        assertThat(notPostgres.exitCode()).isEqualTo(1);
        assertThat(notPostgres.err()).contains("There is no SQLite database");
    }
}
