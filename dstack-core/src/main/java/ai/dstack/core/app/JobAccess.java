package ai.dstack.core.app;

import ai.dstack.spi.host.JobShells;
import java.util.Optional;
import java.util.UUID;

/** What an SSH server into the engine's running jobs needs. Thread-safe. */
public interface JobAccess {
    /** Shells and ports inside the jobs of the engine's host, when the host offers them (the local one does). */
    Optional<JobShells> shells();

    /** The running job with this upstream id ({@link SshJob#upstreamId()}), or empty. */
    Optional<SshJob> find(String upstreamId);

    /** Whether the job still runs. */
    boolean running(UUID jobId);

    /**
     * Records an open session into the job (dev environments' inactivity counts from the last one's end); closing
     * the returned handle ends it, idempotently.
     */
    Attachment attach(UUID jobId);

    /**
     * Announces the SSH server: from now on runs' {@code job_connection_info} names it, as dstack names its sshproxy.
     */
    void publishSshEndpoint(String hostname, int port);

    /** One open session into a job. */
    interface Attachment extends AutoCloseable {
        @Override
        void close();
    }
}
