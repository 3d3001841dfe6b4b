package ai.dstack.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.yaml.DstackYaml;
import java.time.Duration;
import ai.dstack.client.NewUser;
import ai.dstack.core.DatabaseEncryption;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.app.Caller;
import ai.dstack.core.app.DstackApp;
import ai.dstack.core.internal.crypto.AesKey;
import ai.dstack.core.internal.crypto.EncryptingStateStore;
import ai.dstack.core.internal.crypto.Encryption;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StoreOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secrets at rest, on a real SQLite file and a real PostgreSQL: with an {@code aes} key no token, SSH private key,
 * secret or backend credential is stored in plaintext; rotating keys keeps old values readable; re-encrypting lets
 * the old key go; a wrong key is a clear error. A run that uses the secret leaves no copy of it in the database. zonky's PostgreSQL has no {@code pg_dump}, so the PostgreSQL case
 * reads every text column of every table instead of a dump.
 */
class EncryptionAtRestTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void nothingSecretIsStoredInPlaintextAndKeysRotate(String dialect) throws Exception {
        String url = newDatabase(dialect);
        String[] key1 = {"key1", DatabaseEncryption.newAesSecret()};
        String[] key2 = {"key2", DatabaseEncryption.newAesSecret()};
        String secretValue = "pw-" + UUID.randomUUID();
        String accessKey = "AKIA" + UUID.randomUUID().toString().replace("-", "").toUpperCase();
        String secretKey = "sk-" + UUID.randomUUID();
        List<String> plaintexts = new ArrayList<>(List.of(secretValue, accessKey, secretKey));
        String aliceToken;

        try (DstackEngine engine = engine(url, true, key1)) {
            DstackApp app = engine.app();
            Caller admin = app.authenticate(engine.adminToken());
            engine.createUser(NewUser.of("alice", GlobalRole.USER));
            aliceToken = app.getUser(admin, "alice").creds().token();
            engine.setSecret("main", "marker_secret_name", secretValue);
            app.createBackendYaml(admin, "main", """
                    type: aws
                    regions: [eu-north-1]
                    creds: {type: access_key, access_key: %s, secret_key: %s}
                    """.formatted(accessKey, secretKey));
            // A run that gets the secret: it is resolved when the job starts, never written with the run.
            Run run = engine.applyRun(DstackYaml.parse("""
                    type: task
                    env:
                      - PW=${{ secrets.marker_secret_name }}
                    commands:
                      - test "$PW" = "pw-$(echo "$PW" | cut -c4-)" && test ${#PW} -eq %d
                    """.formatted(secretValue.length()), "secret.dstack.yml", TaskConfiguration.class));
            assertThat(engine.awaitFinished(run.runSpec().runName(), Duration.ofMinutes(1)).status())
                    .isEqualTo(RunStatus.DONE);
            plaintexts.add(engine.adminToken());
            plaintexts.add(aliceToken);
            plaintexts.add(pemBody(projectPrivateKey(url, key1)));
            plaintexts.add(pemBody(app.getUser(admin, "alice").sshPrivateKey()));
        }

        List<String> stored = storedText(dialect, url);
        assertThat(String.join("\n", stored)).as("the scan sees the data")
                .contains("marker_secret_name").contains("eu-north-1").contains("enc:aes:key1:");
        for (String plaintext : plaintexts) {
            assertThat(stored.stream().filter(v -> v.contains(plaintext)).count())
                    .as("stored values containing %s", plaintext.substring(0, 8)).isZero();
        }

        // Rotation: the new key first, the old one still listed.
        try (DstackEngine engine = engine(url, key2, key1)) {
            assertReadable(engine, aliceToken, secretValue, secretKey);
            engine.setSecret("main", "written_after_rotation", "v2");
        }
        assertThat(storedText(dialect, url)).anyMatch(v -> v.startsWith("enc:aes:key2:"))
                .anyMatch(v -> v.startsWith("enc:aes:key1:"));

        // Re-encrypt, then drop the old key.
        int encrypted = countEncrypted(dialect, url);
        assertThat(encryption(key2, key1).reEncrypt(url, StoreOptions.defaults())).isEqualTo(encrypted);
        assertThat(storedText(dialect, url)).noneMatch(v -> v.startsWith("enc:aes:key1:"));
        try (DstackEngine engine = engine(url, key2)) {
            assertReadable(engine, aliceToken, secretValue, secretKey);
        }

        // A key that decrypts nothing: start-up stops with a message that names the value and the remedy.
        String[] wrong = {"key3", DatabaseEncryption.newAesSecret()};
        assertThatThrownBy(() -> engine(url, wrong).close())
                .isInstanceOf(DstackException.class)
                .hasMessageContaining("Cannot decrypt the SSH private key of project 'main' (stored with key aes:key2)")
                .hasMessageContaining("encryption.keys");
        assertThatThrownBy(() -> encryption(wrong).reEncrypt(url, StoreOptions.defaults()))
                .hasMessageContaining("Cannot decrypt");
        assertThat(storedText(dialect, url)).as("a failed re-encryption changes nothing")
                .noneMatch(v -> v.startsWith("enc:aes:key3:"));
    }

    private static void assertReadable(DstackEngine engine, String aliceToken, String secretValue, String secretKey) {
        DstackApp app = engine.app();
        assertThat(app.authenticate(aliceToken).username()).isEqualTo("alice");
        Caller admin = app.authenticate(engine.adminToken());
        assertThat(engine.getSecret("main", "marker_secret_name").value()).isEqualTo(secretValue);
        assertThat(app.backendConfig(admin, "main", "aws").get("creds").get("secret_key").asText()).isEqualTo(secretKey);
    }

    /** Project main's SSH private key, which no API returns: read from the store as the engine reads it. */
    private static String projectPrivateKey(String url, String[] key) {
        try (StateStore store = new EncryptingStateStore(DstackEngine.Builder.openStateStore(url, StoreOptions.defaults()),
                Encryption.of(List.of(AesKey.of(key[0], key[1]))))) {
            return store.inReadOnlyTransaction(tx -> tx.projects().findByName("main")).orElseThrow().sshPrivateKey();
        }
    }

    private static DatabaseEncryption encryption(String[]... keys) {
        List<String> namesAndSecrets = new ArrayList<>();
        for (String[] key : keys) {
            namesAndSecrets.addAll(List.of(key));
        }
        return DatabaseEncryption.aes(namesAndSecrets.toArray(String[]::new));
    }

    /**
     * A line from the end of a private key: random, and present in any plaintext copy of it. (The first lines of an
     * OpenSSH private key repeat the public key, which is stored in plaintext on purpose.)
     */
    private static String pemBody(String pem) {
        List<String> lines = pem.lines().filter(l -> !l.isBlank()).toList();
        return lines.get(lines.size() - 2);
    }

    private DstackEngine engine(String url, String[]... keys) {
        return engine(url, false, keys);
    }

    private DstackEngine engine(String url, boolean localFleet, String[]... keys) {
        return DstackEngine.builder().serverDirectory(dir.resolve("server")).databaseUrl(url).localFleet(localFleet)
                .encryption(encryption(keys)).build();
    }

    private String newDatabase(String dialect) throws SQLException {
        if (dialect.equals("sqlite")) {
            return "jdbc:sqlite:" + dir.resolve("data").resolve("sqlite.db");
        }
        String name = "enc_" + DATABASES.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name + "?user=postgres";
    }

    /**
     * SQLite: the bytes of every file of the database (main file, WAL, shared memory) as text. PostgreSQL: every
     * value of every text column of every table.
     */
    private List<String> storedText(String dialect, String url) throws IOException, SQLException {
        List<String> values = new ArrayList<>();
        if (dialect.equals("sqlite")) {
            try (Stream<Path> files = Files.list(dir.resolve("data"))) {
                for (Path file : files.toList()) {
                    values.add(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                }
            }
            // Also as values, so that the checks on prefixes below work for both dialects.
            values.addAll(textColumns(url));
            return values;
        }
        return textColumns(url);
    }

    private static List<String> textColumns(String url) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url)) {
            boolean sqlite = url.startsWith("jdbc:sqlite:");
            List<String[]> columns = new ArrayList<>();
            String query = sqlite
                    ? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
                            + "WHERE m.type = 'table' AND (p.type LIKE '%CHAR%' OR p.type LIKE '%TEXT%')"
                    : "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
                            + "AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')";
            try (ResultSet rows = connection.createStatement().executeQuery(query)) {
                while (rows.next()) {
                    columns.add(new String[] {rows.getString(1), rows.getString(2)});
                }
            }
            assertThat(columns).isNotEmpty();
            for (String[] column : columns) {
                try (ResultSet rows = connection.createStatement()
                        .executeQuery("SELECT \"" + column[1] + "\" FROM \"" + column[0] + "\"")) {
                    while (rows.next()) {
                        String value = rows.getString(1);
                        if (value != null) {
                            values.add(value);
                        }
                    }
                }
            }
        }
        return values;
    }

    private static int countEncrypted(String dialect, String url) throws IOException, SQLException {
        return (int) textColumns(url).stream().filter(v -> v.startsWith("enc:")).count();
    }
}
