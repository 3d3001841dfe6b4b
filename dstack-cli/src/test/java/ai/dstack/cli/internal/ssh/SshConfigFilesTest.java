package ai.dstack.cli.internal.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host blocks replaced and removed whole, and the {@code Include} on top of {@code ~/.ssh/config}, as dstack's CLI. */
class SshConfigFilesTest {
    @TempDir
    Path home;

    @Test
    void aHostBlockIsAddedReplacedAndRemovedWithoutTouchingOthers() throws Exception {
        Path config = home.resolve(".dstack/ssh/config");
        SshConfigFiles.update(config, "dev", options("HostName", "a.example", "Port", "3022"));
        SshConfigFiles.update(config, "web", options("HostName", "b.example"));
        SshConfigFiles.update(config, "dev", options("HostName", "c.example"));
        assertThat(Files.readString(config)).isEqualTo("""
                Host web
                    HostName b.example
                Host dev
                    HostName c.example
                """);
        SshConfigFiles.update(config, "web", Map.of());
        assertThat(Files.readString(config)).isEqualTo("Host dev\n    HostName c.example\n");
    }

    @Test
    void theIncludeGoesOnTopOnceAndKeepsWhatWasThere() throws Exception {
        Path sshConfig = home.resolve(".ssh/config");
        Path included = home.resolve(".dstack/ssh/config");
        Files.createDirectories(sshConfig.getParent());
        Files.writeString(sshConfig, "Host old\n    User me\n");
        assertThat(SshConfigFiles.include(sshConfig, included, home)).isTrue();
        assertThat(SshConfigFiles.include(sshConfig, included, home)).isTrue();
        assertThat(Files.readString(sshConfig)).isEqualTo("Include " + included + "\nHost old\n    User me\n");
    }

    @Test
    void theTildeFormDstackWritesCountsAsIncluded() throws Exception {
        Path sshConfig = home.resolve(".ssh/config");
        Files.createDirectories(sshConfig.getParent());
        Files.writeString(sshConfig, "Include ~/.dstack/ssh/config\n");
        assertThat(SshConfigFiles.include(sshConfig, home.resolve(".dstack/ssh/config"), home)).isTrue();
        assertThat(Files.readString(sshConfig)).isEqualTo("Include ~/.dstack/ssh/config\n");
    }

    @Test
    void anUnwritableSshConfigIsReportedNotThrown() throws Exception {
        Path sshConfig = home.resolve(".ssh/config");
        Files.createDirectories(sshConfig); // a directory where the file should be
        assertThat(SshConfigFiles.include(sshConfig, home.resolve(".dstack/ssh/config"), home)).isFalse();
    }

    private static Map<String, String> options(String... keysAndValues) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            options.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return options;
    }
}
