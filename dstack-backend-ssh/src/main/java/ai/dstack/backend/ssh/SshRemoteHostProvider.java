package ai.dstack.backend.ssh;

import ai.dstack.backend.ssh.internal.SshConnector;
import ai.dstack.backend.ssh.internal.SshSettings;
import ai.dstack.spi.host.RemoteHostConnector;
import ai.dstack.spi.host.RemoteHostProvider;
import java.nio.file.Path;

/**
 * SSH fleets' transport, found by the engine with {@link java.util.ServiceLoader}. Host keys are kept in
 * {@code <state directory>/known_hosts}: a host's first key is trusted and written there, a changed key is refused
 * with a message naming the line to delete.
 */
public final class SshRemoteHostProvider implements RemoteHostProvider {
    @Override
    public RemoteHostConnector connector(Path stateDirectory) {
        return new SshConnector(stateDirectory.resolve("known_hosts"), SshSettings.defaults());
    }
}
