package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A real server on a loopback port for in-process CLI tests, and a CLI home whose config.yml points at it. */
final class TestServers {
    private TestServers() {}

    /** A server over an engine in {@code dir/server} that runs real local jobs (8 blocks, fast sweeps). */
    static DstackServer.Builder builder(Path dir) {
        return DstackServer.builder()
                .engine(DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(8)
                        .sweepInterval(Duration.ofMillis(200)))
                .port(0);
    }

    /** A CLI with {@code home} as its home directory and the server configured there as project {@code main}. */
    static CliEnvironment cliFor(DstackServer server, Path home) throws IOException {
        CliEnvironment cli = new CliEnvironment(Map.of(), Files.createDirectories(home), null, false);
        CliRun config = CliRun.in(cli, "config", "--project", "main", "--url", server.url(), "--token",
                server.engine().adminToken());
        assertThat(config.exitCode()).as("%s", config).isZero();
        return cli;
    }
}
