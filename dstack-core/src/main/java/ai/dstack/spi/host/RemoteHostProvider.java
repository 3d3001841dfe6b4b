package ai.dstack.spi.host;

import java.nio.file.Path;

/**
 * Creates {@link RemoteHostConnector}s; found with {@link java.util.ServiceLoader}. dstack-backend-ssh provides the
 * SSH one, so an engine with that module on its class path can run SSH fleets. Register an implementation in
 * {@code META-INF/services/ai.dstack.spi.host.RemoteHostProvider}.
 *
 * <pre>{@code
 * RemoteHostProvider provider = ServiceLoader.load(RemoteHostProvider.class).findFirst().orElseThrow();
 * }</pre>
 *
 * <p>Thread-safety and lifecycle: implementations need a public no-argument constructor that does no I/O and must
 * be safe for concurrent use; the engine creates one connector per engine and closes it with the engine.
 */
public interface RemoteHostProvider {

    /**
     * @param stateDirectory a directory the connector may keep files in (the SSH connector keeps its
     *     {@code known_hosts} there)
     */
    RemoteHostConnector connector(Path stateDirectory);
}
