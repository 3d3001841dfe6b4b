package ai.dstack.backend.ssh.testing;

import java.io.IOException;
import java.util.List;

/**
 * The sshd of one fake cloud VM: a {@link TestSshServer} on the VM's own loopback address ({@link FakeCloudHosts}),
 * started when the fake cloud says the VM runs and stopped when it stops or goes away. Every fake cloud (EC2, GCE,
 * ARM) keeps one per VM.
 */
public final class FakeVmSsh {
    private final String vmName;
    private final List<String> authorizedKeys;
    private TestSshServer server;

    public FakeVmSsh(String vmName, List<String> authorizedKeys) {
        this.vmName = vmName;
        this.authorizedKeys = List.copyOf(authorizedKeys);
    }

    /** Starts the VM's sshd unless it runs already. */
    public synchronized void start() {
        if (server == null) {
            server = FakeCloudHosts.start(vmName, authorizedKeys);
        }
    }

    /** Stops the VM's sshd if it runs. */
    public synchronized void stop() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // the VM is gone either way
            }
            server = null;
        }
    }

    /** The running server; null while the VM does not run. */
    public synchronized TestSshServer server() {
        return server;
    }

    /** The VM's address while it runs, else null. */
    public synchronized String host() {
        return server == null ? null : server.host();
    }
}
