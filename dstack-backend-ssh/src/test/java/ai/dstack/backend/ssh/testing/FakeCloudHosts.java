package ai.dstack.backend.ssh.testing;

import ai.dstack.backend.ssh.internal.SshConnector;
import ai.dstack.backend.ssh.internal.SshSettings;
import ai.dstack.spi.host.RemoteHostConnector;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SSH servers of fake cloud VMs (for the EC2, GCE and ARM fakes): each on its own loopback address in
 * 127.0.100.0 - 127.0.249.255 at port 22, where a VM's sshd would be. A taken address (another JVM's fake VM) is
 * skipped. The range starts at a random point so that concurrent JVMs rarely meet.
 */
public final class FakeCloudHosts {
    private static final int FIRST = 100 * 256;
    private static final int COUNT = 150 * 256;
    private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(COUNT));

    private FakeCloudHosts() {}

    /** The engine's SSH transport to fake VMs, with a short grace and exit poll so that tests end soon. */
    public static RemoteHostConnector connector(Path knownHosts) {
        SshSettings ssh = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        return new SshConnector(knownHosts, ssh);
    }

    /** A running SSH server for a VM, accepting the given public key lines. */
    public static TestSshServer start(String vmName, List<String> authorizedKeys) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int n = FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
            int last = n % 256;
            if (last == 0 || last == 255) {
                continue;
            }
            String host = "127.0." + (n / 256) + "." + last;
            try {
                Path dir = Files.createTempDirectory("fake-vm-");
                return TestSshServer.startAt(dir, host, 22, authorizedKeys);
            } catch (BindException e) {
                // taken: the next address
            } catch (IOException e) {
                if (e.getCause() instanceof BindException || String.valueOf(e.getMessage()).contains("in use")) {
                    continue;
                }
                throw new IllegalStateException("cannot start the SSH server of fake VM " + vmName + " on " + host
                        + ":22 (binding port 22 needs root or CAP_NET_BIND_SERVICE): " + e, e);
            }
        }
        throw new IllegalStateException("no free loopback address with port 22 for fake VM " + vmName);
    }
}
