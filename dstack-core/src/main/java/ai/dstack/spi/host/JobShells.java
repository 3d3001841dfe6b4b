package ai.dstack.spi.host;

import java.net.InetSocketAddress;

/**
 * Opens processes inside a running job, as an SSH session into the job sees it: the job's working directory, its
 * environment (dstack's variables, the run's env and secrets) and its container when it runs in an image. Also
 * answers where the job's ports are reached from the server, so that SSH port forwarding reaches the job and nothing
 * else.
 *
 * <p>A host that runs jobs elsewhere (an SSH fleet) implements this over its own connection to the host.
 */
public interface JobShells {

    /**
     * Starts {@code request} in the job's context and returns its process (stdin, stdout, stderr, exit code).
     *
     * @throws HostExecutionException when the job has no files on this host or the process cannot start
     */
    Process open(JobHandle job, ShellRequest request);

    /**
     * Tells a shell opened with a terminal ({@link ShellRequest#pty()}) that the user's terminal is now
     * {@code columns} by {@code rows}; does nothing where terminals cannot be resized.
     */
    default void resize(Process shell, int columns, int rows) {}

    /** The job's working directory as its own processes see it ({@code DSTACK_WORKING_DIR}). */
    String workingDirectory(JobHandle job);

    /** Whether one of the job's own processes listens on this TCP port (false when the host cannot tell). */
    boolean listensOn(JobHandle job, int port);

    /** The address the server connects to in order to reach the job's {@code port}. */
    InetSocketAddress portAddress(JobHandle job, int port);

    /**
     * Ends what SSH sessions started in a job that has ended (servers left running with {@code nohup}, an IDE's
     * server), as a container's end would. Does nothing for a job that left nothing behind.
     */
    void endLeftovers(JobHandle job);
}
