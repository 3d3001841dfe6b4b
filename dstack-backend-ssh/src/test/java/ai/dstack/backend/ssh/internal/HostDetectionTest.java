package ai.dstack.backend.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.HostGpu;
import ai.dstack.spi.host.HostResources;
import ai.dstack.spi.host.RemoteHostAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Resource detection over SSH: a host whose {@code nvidia-smi}, {@code amd-smi} or {@code rocm-smi} prints output
 * recorded on real machines, and the host checks' words for what is wrong.
 */
class HostDetectionTest {
    @TempDir
    Path dir;

    private TestSshServer server;
    private SshConnector connector;

    @AfterEach
    void close() throws IOException {
        if (connector != null) {
            connector.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private HostResources probeWithTool(String tool, String recording) throws IOException {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        server = TestSshServer.start(Files.createDirectories(dir.resolve("host")), Path.of(key + ".pub"));
        Path bin = Files.createDirectories(server.home().resolve("bin"));
        Files.writeString(bin.resolve(tool + ".out"), recorded(recording));
        Path script = bin.resolve(tool);
        Files.writeString(script, "#!/bin/bash\ncat \"$(dirname \"$0\")/" + tool + ".out\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        connector = new SshConnector(dir.resolve("known_hosts"), SshSettings.defaults().withGrace(Duration.ofSeconds(10)));
        return connector.host(new RemoteHostAddress("127.0.0.1", server.port(), "gpu-user", Files.readString(key),
                key.toString(), null)).probe();
    }

    private static String recorded(String name) throws IOException {
        try (InputStream in = HostDetectionTest.class.getResourceAsStream("/gpu/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "{0} printing {1}")
    @CsvSource({
        "nvidia-smi, nvidia-smi-8xH100.csv, nvidia, H100, 81559, 8",
        "nvidia-smi, nvidia-smi-4xA100-80GB.csv, nvidia, A100, 81920, 4",
        "amd-smi, amd-smi-rocm6-2xMI300X.json, amd, MI300X, 196592, 2",
        "rocm-smi, rocm-smi-2xMI250.json, amd, MI250, 65520, 2"})
    void gpusAreDetectedFromTheVendorToolsOutput(String tool, String recording, String vendor, String name,
            long memoryMib, int count) throws IOException {
        HostResources resources = probeWithTool(tool, recording);

        assertThat(resources.gpus()).containsExactly(new HostGpu(vendor, name, memoryMib, count));
        assertThat(resources.cpus()).isPositive();
    }

    @Test
    void aFullDiskIsReportedInWords() {
        String output = probeOutput("/dev/sda1 1000000 999990 10 100% /");

        assertThatThrownBy(() -> HostProbe.parse(output, "ubuntu@gpu-1:22"))
                .isInstanceOf(HostExecutionException.class)
                .hasMessage("The disk of ubuntu@gpu-1:22 is full: 0 MiB free for /home/ubuntu/.dstack-jvm/jobs (at"
                        + " least 100 MiB needed)");
    }

    @Test
    void missingToolsAreNamed() {
        String output = probeOutput("/dev/sda1 1000000 10 999990 1% /").replace("@@dstack missing\n",
                "@@dstack missing\nsetsid pkill ");

        assertThatThrownBy(() -> HostProbe.parse(output, "ubuntu@gpu-1:22"))
                .hasMessage("ubuntu@gpu-1:22 lacks tools that jobs need: setsid pkill (install util-linux, procps and"
                        + " coreutils)");
    }

    @Test
    void aProbeCutShortSaysSo() {
        assertThatThrownBy(() -> HostProbe.parse("\n@@dstack missing\n\n@@dstack root\nmkdir: Permission denied\n",
                "ubuntu@gpu-1:22")).hasMessageStartingWith("The host check on ubuntu@gpu-1:22 stopped early");
    }

    private static String probeOutput(String dfLine) {
        return String.join("\n", List.of("", "@@dstack missing", "", "@@dstack root", "/home/ubuntu/.dstack-jvm/jobs",
                "", "@@dstack nproc", "8", "", "@@dstack arch", "x86_64", "", "@@dstack meminfo",
                "MemTotal:       32768000 kB", "", "@@dstack df", dfLine, "", "@@dstack nvidia", "", "@@dstack amd", "",
                "@@dstack rocm", "", "@@dstack docker", "", "@@dstack end", ""));
    }
}
