package ai.dstack.backend.aws.testing;

import ai.dstack.backend.ssh.testing.TestSshServer;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the SSH server of a fake cloud instance on its own loopback address (127.0.0.2, 127.0.0.3, ...) at port 22,
 * where a cloud VM's sshd would be. An address whose port 22 is taken (another JVM's fake instance) is skipped.
 */
public final class FakeInstances {
    private static final AtomicInteger NEXT = new AtomicInteger(2);
    private static final int MAX_HOSTS = 250 * 250;

    private FakeInstances() {}

    /** A running SSH server for an instance, accepting the given public key lines. */
    public static TestSshServer start(String instanceId, List<String> authorizedKeys) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int n = NEXT.getAndIncrement() % MAX_HOSTS;
            String host = "127.0." + (n / 250) + "." + (2 + n % 250);
            try {
                Path dir = Files.createTempDirectory("fake-" + instanceId + "-");
                return TestSshServer.startAt(dir, host, 22, authorizedKeys);
            } catch (BindException e) {
                // taken: try the next address
            } catch (IOException e) {
                if (e.getCause() instanceof BindException || String.valueOf(e.getMessage()).contains("in use")) {
                    continue;
                }
                throw new IllegalStateException("cannot start the SSH server of fake instance " + instanceId
                        + " on " + host + ":22 (binding port 22 needs root or CAP_NET_BIND_SERVICE): " + e, e);
            }
        }
        throw new IllegalStateException("no free loopback address with port 22 for fake instance " + instanceId);
    }
}
