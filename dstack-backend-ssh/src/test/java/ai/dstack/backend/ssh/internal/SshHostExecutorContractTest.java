package ai.dstack.backend.ssh.internal;

import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.testing.HostExecutorContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host executor contract over SSH, against MINA's SSH server on loopback. Each executor comes from its own
 * connector, as after an engine restart, so adoption goes through a new connection. The transport's own behaviour
 * (keys, jump hosts, dropped connections) is in {@link SshHostTest}.
 */
class SshHostExecutorContractTest extends HostExecutorContract {
    private static final SshSettings FAST = SshSettings.defaults().withGrace(Duration.ofSeconds(30))
            .withExitPoll(Duration.ofMillis(100));

    @TempDir
    Path dir;

    private TestSshServer server;
    private RemoteHostAddress address;
    private final List<SshConnector> connectors = new CopyOnWriteArrayList<>();

    @Override
    protected void setUpHost() throws Exception {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        server = TestSshServer.start(Files.createDirectories(dir.resolve("host")), Path.of(key + ".pub"));
        address = new RemoteHostAddress("127.0.0.1", server.port(), "dstack", Files.readString(key), key.toString(),
                null);
    }

    @Override
    protected HostExecutor newExecutor() {
        SshConnector connector = new SshConnector(dir.resolve("state/known_hosts"), FAST);
        connectors.add(connector);
        return connector.host(address).executor();
    }

    @Override
    protected String hostName() {
        return "dstack@127.0.0.1:" + server.port();
    }

    @Override
    protected void tearDownHost() throws Exception {
        connectors.forEach(SshConnector::close);
        server.close();
    }
}
