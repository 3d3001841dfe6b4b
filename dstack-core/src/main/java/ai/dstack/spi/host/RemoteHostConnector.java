package ai.dstack.spi.host;

/**
 * Opens {@link RemoteHost}s over one transport (SSH). Keeps one connection per address: asking twice for the same
 * address returns the same host. Closing it closes every connection; jobs on the hosts keep running.
 */
public interface RemoteHostConnector extends AutoCloseable {

    RemoteHost host(RemoteHostAddress address);

    /** Forgets the host and closes its connection (its fleet was deleted or the host removed from it). */
    void release(RemoteHostAddress address);

    @Override
    void close();
}
