package ai.dstack.spi.host;

import java.util.Optional;

/**
 * One remote host as the engine uses it: a lazily opened, pooled connection shared by the host's checks and by every
 * job on it. Obtained from {@link RemoteHostConnector#host}; safe for concurrent use.
 */
public interface RemoteHost {

    RemoteHostAddress address();

    /**
     * Connects (if needed), checks that the host can run jobs and detects what it offers.
     *
     * @throws HostExecutionException naming what is wrong in words: cannot connect, authentication failed, no bash,
     *     a missing tool, the disk is full
     */
    HostResources probe();

    /** Runs jobs on this host with the {@link ShellJobProtocol}, over the host's pooled connection. */
    HostExecutor executor();

    /**
     * Why the host is unreachable, once it has been for longer than the connector's grace period; empty while it is
     * reachable or only briefly dropped.
     */
    Optional<String> unreachableReason();

    /**
     * Runs a bash script on the host as the login user (the script uses {@code sudo} for what needs root, as when
     * mounting a network volume) and returns what it printed on stdout.
     *
     * @throws HostExecutionException with the script's own error output when it fails or times out
     */
    default String runScript(String script, java.time.Duration timeout) {
        throw new HostExecutionException(ai.dstack.api.ErrorCode.ERROR, "Host " + address().display()
                + " cannot run setup scripts");
    }

    /**
     * Removes what the engine put on the host (finished jobs' files and the protocol's scripts). Jobs still running
     * and anything else on the host are left alone.
     */
    void removeEngineFiles();
}
