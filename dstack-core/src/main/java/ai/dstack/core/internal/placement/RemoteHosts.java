package ai.dstack.core.internal.placement;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.RemoteHost;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.spi.host.RemoteHostConnector;
import ai.dstack.spi.host.RemoteHostProvider;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * The engine's way to remote hosts: the connector of the {@link RemoteHostProvider} on the class path (SSH, from
 * dstack-backend-ssh), or none, in which case SSH fleets are refused with a message saying what to add.
 */
public final class RemoteHosts implements AutoCloseable {
    private final RemoteHostConnector connector;

    public RemoteHosts(RemoteHostConnector connector) {
        this.connector = connector;
    }

    /** The first provider found with {@link ServiceLoader}, keeping its files in {@code stateDirectory}. */
    public static RemoteHosts discover(Path stateDirectory, ClassLoader classLoader) {
        Iterator<RemoteHostProvider> providers = ServiceLoader.load(RemoteHostProvider.class, classLoader).iterator();
        return new RemoteHosts(providers.hasNext() ? providers.next().connector(stateDirectory) : null);
    }

    public static RemoteHosts none() {
        return new RemoteHosts(null);
    }

    public boolean available() {
        return connector != null;
    }

    public RemoteHost host(RemoteHostAddress address) {
        if (connector == null) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "SSH fleets need ai.dstack:dstack-backend-ssh on the"
                    + " server's class path; this server has no SSH transport");
        }
        return connector.host(address);
    }

    public void release(RemoteHostAddress address) {
        if (connector != null) {
            connector.release(address);
        }
    }

    @Override
    public void close() {
        if (connector != null) {
            connector.close();
        }
    }
}
