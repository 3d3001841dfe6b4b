package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dstack apply} of SSH fleet files and {@code dstack fleet delete}, in-process against a real server whose
 * local fleet is off, with an SSH host that is MINA's server on loopback: tasks can only run on the fleet's host.
 */
class FleetCommandsTest {
    @TempDir
    static Path dir;

    private static DstackServer server;
    private static CliEnvironment cli;
    private static TestSshServer host;
    private static Path key;

    @BeforeAll
    static void start() throws IOException {
        key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        host = TestSshServer.start(Files.createDirectories(dir.resolve("host")), Path.of(key + ".pub"));
        server = DstackServer.builder()
                .engine(DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(false)
                        .sweepInterval(Duration.ofMillis(200)))
                .port(0)
                .build()
                .start();
        cli = new CliEnvironment(Map.of(), Files.createDirectories(dir.resolve("home")), null, false);
        CliRun config = CliRun.in(cli, "config", "--project", "main", "--url", server.url(), "--token",
                server.engine().adminToken());
        assertThat(config.exitCode()).as("%s", config).isZero();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        host.close();
    }

    private static Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void applyingAFleetWaitsForItsHostAndTasksRunThere() throws IOException {
        Path fleet = file("lab.dstack.yml", "type: fleet\nname: lab\nssh_config:\n  user: ubuntu\n  identity_file: "
                + key + "\n  hosts:\n    - hostname: 127.0.0.1\n      port: " + host.port() + "\n");

        CliRun apply = CliRun.in(cli, "apply", "-f", fleet.toString(), "-y");

        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.out()).contains(" Fleet name     lab", "   ubuntu@127.0.0.1:" + host.port(), "Created fleet lab",
                "Instance lab-0 is up: ");
        assertThat(CliRun.in(cli, "fleet").out()).containsPattern("lab +active").containsPattern("0 +remote .*xCPU.* +idle");

        Path task = file("where.dstack.yml", "type: task\nname: where\nresources:\n  cpu: 1..\n  memory: 0GB..\n"
                + "commands:\n  - echo running in $HOME\n");
        CliRun run = CliRun.in(cli, "apply", "-f", task.toString(), "-y");
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.out()).contains("running in " + host.home());

        CliRun again = CliRun.in(cli, "apply", "-f", fleet.toString(), "-y");
        assertThat(again.out()).contains("Fleet lab exists with 1 instance(s)", "Updated fleet lab");

        CliRun delete = CliRun.in(cli, "fleet", "delete", "lab", "-y");
        assertThat(delete.exitCode()).as("%s", delete).isZero();
        assertThat(delete.out()).contains("Fleet lab deleted");
        assertThat(CliRun.in(cli, "fleet").out()).doesNotContain("lab");
    }

    @Test
    void aHostThatRefusesTheKeyIsReportedAndTheFleetStays() throws IOException {
        Path other = TestSshServer.keygen(dir, "other", "ecdsa", false, "");
        Path fleet = file("refused.dstack.yml", "type: fleet\nname: refused\nssh_config:\n  user: ubuntu\n"
                + "  identity_file: " + other + "\n  port: " + host.port() + "\n  hosts: [127.0.0.1]\n");

        CliRun apply = CliRun.in(cli, "apply", "-f", fleet.toString(), "-y");

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.out()).contains("Instance refused-0 is not up: Authentication failed on ubuntu@127.0.0.1:"
                + host.port() + ": the host refused the key " + other + " for user ubuntu",
                "The server keeps trying");
        assertThat(CliRun.in(cli, "fleet").out()).contains("pending: Authentication failed");

        CliRun no = CliRun.in(cli.withStdin(new BufferedReader(new StringReader("n\n"))), "fleet", "delete", "refused");
        assertThat(no.exitCode()).isEqualTo(1);
        assertThat(no.out()).contains("Delete the fleet refused? [y/n]: ", "Fleet not deleted");
        assertThat(CliRun.in(cli, "fleet", "delete", "refused", "-y").exitCode()).isZero();
    }

    @Test
    void unknownFleetsAndUnreadableKeysAreOneErrorLine() throws IOException {
        CliRun unknown = CliRun.in(cli, "fleet", "delete", "no-such-fleet", "-y");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("Error: ").contains("not found");

        Path fleet = file("nokey.dstack.yml", "type: fleet\nname: nokey\nssh_config:\n  user: ubuntu\n"
                + "  identity_file: " + dir.resolve("missing-key") + "\n  hosts: [127.0.0.1]\n");
        CliRun apply = CliRun.in(cli, "apply", "-f", fleet.toString(), "-y");
        assertThat(apply.exitCode()).isEqualTo(2);
        assertThat(apply.err()).startsWith("Error: cannot read identity_file " + dir.resolve("missing-key"));
    }
}
