package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.DatabaseEncryption;
import ai.dstack.server.ServerSettings;
import ai.dstack.server.ServerStartup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dstack server re-encrypt} and config.yml errors at {@code dstack server}, run as a user runs them. */
class ReEncryptCommandTest {
    @TempDir
    Path dir;

    private CliEnvironment environment() {
        return new CliEnvironment(Map.of("DSTACK_SERVER_DIR", dir.resolve("server").toString()), dir.resolve("home"),
                null, false);
    }

    private void writeKeys(String... keys) throws IOException {
        StringBuilder yaml = new StringBuilder("projects:\n- name: main\nencryption:\n  keys:\n");
        for (int i = 0; i < keys.length; i += 2) {
            yaml.append("  - {type: aes, name: ").append(keys[i]).append(", secret: \"").append(keys[i + 1]).append("\"}\n");
        }
        Files.createDirectories(dir.resolve("server"));
        Files.writeString(dir.resolve("server").resolve("config.yml"), yaml);
    }

    private String secretAsTheServerReadsIt() {
        ServerSettings settings = ServerSettings.fromEnvironment(environment()::get, dir.resolve("home"));
        ServerStartup startup = ServerStartup.prepare(settings);
        try (DstackEngine engine = startup.engine().localFleet(false).build()) {
            return engine.getSecret("main", "db").value();
        }
    }

    @Test
    void reEncryptRewritesEveryValueSoTheOldKeyCanGo() throws IOException {
        String oldSecret = DatabaseEncryption.newAesSecret();
        String newSecret = DatabaseEncryption.newAesSecret();
        writeKeys("old", oldSecret);
        ServerSettings settings = ServerSettings.fromEnvironment(environment()::get, dir.resolve("home"));
        try (DstackEngine engine = ServerStartup.prepare(settings).engine().localFleet(false).build()) {
            engine.setSecret("main", "db", "hunter2");
        }

        writeKeys("new", newSecret, "old", oldSecret);
        CliRun run = CliRun.in(environment(), "server", "re-encrypt");
        assertThat(run.exitCode()).as(run.err()).isZero();
        // The admin's token and SSH key, main's SSH key and the secret, at least.
        assertThat(run.out()).matches("Re-encrypted \\d+ values with key aes:new\\n");
        assertThat(Integer.parseInt(run.out().split(" ")[1])).isGreaterThanOrEqualTo(3);

        writeKeys("new", newSecret);
        assertThat(secretAsTheServerReadsIt()).isEqualTo("hunter2");

        writeKeys("wrong", DatabaseEncryption.newAesSecret());
        CliRun wrong = CliRun.in(environment(), "server", "re-encrypt");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.errLines()).hasSize(1);
        assertThat(wrong.err()).startsWith("Error: nothing was re-encrypted: Cannot decrypt ")
                .contains("(stored with key aes:new)");
    }

    @Test
    void anInvalidConfigFileStopsTheServerWithFileLineAndField() throws IOException {
        writeKeys("key-1", DatabaseEncryption.newAesSecret());

        CliRun run = CliRun.in(environment(), "server", "--port", "0");

        assertThat(run.exitCode()).isEqualTo(1);
        Path file = dir.resolve("server").resolve("config.yml");
        assertThat(run.err()).isEqualTo("Error: Invalid " + file + ":\n" + file
                + ":5:23: encryption.keys.0.name: Value error, Key name must be alphanumeric\n");
    }
}
