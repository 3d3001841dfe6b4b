package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.core.DstackEngine;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas that start at the same moment on one PostgreSQL database, empty or at an older schema version (where
 * dstack's users hit deadlocks): all of them start, the schema is migrated once, and what a first start creates
 * (admin, project main, fleet local) exists once.
 */
class PostgresConcurrentStartTest {
    private static final int REPLICAS = 3;
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dir;

    private final List<DstackEngine> engines = new ArrayList<>();

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(DstackEngine::close);
    }

    private String newDatabase() throws Exception {
        String name = "start_" + DATABASES.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("CREATE DATABASE " + name);
        }
        return name;
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    @Test
    void replicasStartingTogetherOnAnEmptyDatabaseAllStart() throws Exception {
        String database = newDatabase();

        startTogether("postgresql+asyncpg://postgres:postgres@localhost:" + postgres.getPort() + "/" + database);

        assertMigratedOnceAndBootstrappedOnce(database);
    }

    @Test
    void replicasStartingTogetherOnAnOlderSchemaAllStart() throws Exception {
        String database = newDatabase();
        Flyway.configure().dataSource(jdbcUrl(database), "postgres", "postgres")
                .locations("classpath:db/migration/common")
                .placeholders(Map.of("uuid", "UUID", "timestamp", "TIMESTAMP"))
                .target("1").load().migrate();
        assertThat(versions(database)).containsExactly("1");

        startTogether("postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/" + database);

        assertMigratedOnceAndBootstrappedOnce(database);
    }

    private void startTogether(String url) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<DstackEngine>> starts = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++) {
            starts.add(pool.submit(() -> {
                go.await();
                return DstackEngine.builder().serverDirectory(dir.resolve("server")).databaseUrl(url).localBlocks(4)
                        .build();
            }));
        }
        go.countDown();
        try {
            for (Future<DstackEngine> start : starts) {
                engines.add(start.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdown();
        }
        assertThat(engines).hasSize(REPLICAS);
        assertThat(engines).extracting(DstackEngine::adminToken).containsOnly(engines.get(0).adminToken());
    }

    private void assertMigratedOnceAndBootstrappedOnce(String database) throws Exception {
        assertThat(versions(database)).as("every migration applied once, in order")
                .containsExactlyElementsOf(availableVersions()).hasSizeGreaterThan(1);
        assertThat(count(database, "SELECT count(*) FROM users WHERE name = 'admin'")).isEqualTo(1);
        assertThat(count(database, "SELECT count(*) FROM projects WHERE name = 'main'")).isEqualTo(1);
        assertThat(count(database, "SELECT count(*) FROM fleets WHERE name = 'local'")).isEqualTo(1);
        assertThat(count(database, "SELECT count(*) FROM instances")).isEqualTo(1);
    }

    /** The migrations the build ships, oldest first. */
    private static List<String> availableVersions() {
        return java.util.Arrays.stream(Flyway.configure().locations("classpath:db/migration/common")
                        .placeholders(Map.of("uuid", "UUID", "timestamp", "TIMESTAMP"))
                        .dataSource("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", "postgres")
                        .load().info().all())
                .map(info -> info.getVersion().getVersion()).toList();
    }

    private List<String> versions(String database) throws Exception {
        List<String> versions = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl(database), "postgres", "postgres");
                ResultSet rows = connection.createStatement().executeQuery(
                        "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")) {
            while (rows.next()) {
                versions.add(rows.getString(1));
            }
        }
        return versions;
    }

    private long count(String database, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(database), "postgres", "postgres");
                ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
