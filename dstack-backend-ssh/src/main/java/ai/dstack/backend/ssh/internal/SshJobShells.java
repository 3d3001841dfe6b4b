package ai.dstack.backend.ssh.internal;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobShells;
import ai.dstack.spi.host.ShellJobProtocol;
import ai.dstack.spi.host.ShellRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shells and ports inside the jobs of an SSH host, over the host's connection: a shell runs the protocol's
 * {@link ShellJobProtocol#ENTER_JOB} script in an exec channel (with a terminal when asked), as the local host runs
 * it in a process; a job's port is reached through a tunnel to the host's loopback.
 */
final class SshJobShells implements JobShells {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final SshConnection connection;
    private final String root;

    SshJobShells(SshConnection connection, String root) {
        this.connection = connection;
        this.root = root;
    }

    @Override
    public Process open(JobHandle job, ShellRequest request) {
        String dir = jobDirectory(job);
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("DSTACK_SSH_JOB_DIR", dir);
        if (request.command() != null) {
            variables.put("DSTACK_SSH_COMMAND", request.command());
        }
        String term = null;
        if (request.pty()) {
            term = request.term() == null || request.term().isBlank() ? "xterm" : request.term();
            variables.put("TERM", term);
        }
        // The inputs as quoted assignments before bash: no user text is parsed as script (the script reads them).
        StringBuilder command = new StringBuilder("[ -f ").append(ShellJobProtocol.shellQuote(dir + "/"
                + ShellJobProtocol.JOB_SCRIPT)).append(" ] || { echo 'job ").append(job.jobId())
                .append(" has no files on this host' >&2; exit 1; }; exec env");
        variables.forEach((name, value) -> command.append(' ').append(name).append('=')
                .append(ShellJobProtocol.shellQuote(value)));
        command.append(" bash -c ").append(ShellJobProtocol.shellQuote(ShellJobProtocol.ENTER_JOB));
        return new ChannelProcess(connection.openInteractive(command.toString(), term, request.columns(),
                request.rows()));
    }

    @Override
    public void resize(Process shell, int columns, int rows) {
        if (shell instanceof ChannelProcess channel && columns > 0 && rows > 0) {
            try {
                channel.resize(columns, rows);
            } catch (IOException e) {
                // the session went away meanwhile
            }
        }
    }

    @Override
    public String workingDirectory(JobHandle job) {
        return jobDirectory(job) + "/" + ShellJobProtocol.WORK_DIR;
    }

    /**
     * Whether one of the job's own processes listens on the port, as on the engine's own host: a port on the host's
     * loopback that another job or the host's own services hold is not the job's to forward.
     */
    @Override
    public boolean listensOn(JobHandle job, int port) {
        return connection.run(RemoteScripts.bashC(RemoteScripts.JOB_LISTENS, "dstack-job-listens",
                List.of(jobDirectory(job), job.jobId(), Integer.toString(port))), null, COMMAND_TIMEOUT).succeeded();
    }

    @Override
    public InetSocketAddress portAddress(JobHandle job, int port) {
        return connection.forwardToLoopback(port);
    }

    /** SIGKILL to every process on the host that carries the job's {@code DSTACK_JOB_ID}. */
    @Override
    public void endLeftovers(JobHandle job) {
        String script = "id=\"$1\"; for p in /proc/[0-9]*; do tr '\\0' '\\n' <\"$p/environ\" 2>/dev/null"
                + " | grep -qx \"DSTACK_JOB_ID=$id\" && kill -9 \"${p#/proc/}\" 2>/dev/null; done; exit 0";
        connection.run(RemoteScripts.bashC(script, "dstack-end-leftovers", List.of(job.jobId())), null,
                COMMAND_TIMEOUT);
    }

    private String jobDirectory(JobHandle job) {
        if (!job.jobId().matches("[A-Za-z0-9._-]+") || job.jobId().startsWith(".")) {
            throw new HostExecutionException(ErrorCode.INVALID_REQUEST, "job id '" + job.jobId() + "' is not a job name");
        }
        return root + "/" + job.jobId();
    }
}
