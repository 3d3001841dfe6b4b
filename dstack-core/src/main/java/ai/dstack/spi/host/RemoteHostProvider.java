package ai.dstack.spi.host;

import java.nio.file.Path;

/**
 * Creates {@link RemoteHostConnector}s; found with {@link java.util.ServiceLoader}. dstack-backend-ssh provides the
 * SSH one, so an engine with that module on its class path can run SSH fleets.
 */
public interface RemoteHostProvider {

    /**
     * @param stateDirectory a directory the connector may keep files in (the SSH connector keeps its
     *     {@code known_hosts} there)
     */
    RemoteHostConnector connector(Path stateDirectory);
}
