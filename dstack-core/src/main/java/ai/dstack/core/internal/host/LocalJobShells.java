package ai.dstack.core.internal.host;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobShells;
import ai.dstack.spi.host.ShellJobProtocol;
import ai.dstack.spi.host.ShellRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shells in the jobs of a {@link LocalHostExecutor}: a process on this machine that takes the job's environment and
 * working directory from the job's own {@value ShellJobProtocol#JOB_SCRIPT} (everything but its last line, which
 * starts the commands), so what a session sees is exactly what the job got. A job in an image is entered with
 * {@code docker exec} or {@code podman exec} (the CLI its container file names), in the container's working directory. A terminal, when asked for, comes from util-linux's {@code script}.
 */
public final class LocalJobShells implements JobShells {
    private static final String ENTER_JOB = ShellJobProtocol.ENTER_JOB;

    private final Path root;
    private final Map<String, String> baseEnvironment;
    private final boolean haveScript;

    /** Shells in the jobs under {@code root}, with the environment jobs get from {@link LocalHostExecutor}. */
    public LocalJobShells(Path root) {
        this(root, LocalHostExecutor.defaultBaseEnvironment());
    }

    public LocalJobShells(Path root, Map<String, String> baseEnvironment) {
        this.root = root.toAbsolutePath().normalize();
        this.baseEnvironment = Map.copyOf(baseEnvironment);
        this.haveScript = Files.isExecutable(Path.of("/usr/bin/script"));
    }

    @Override
    public Process open(JobHandle job, ShellRequest request) {
        Path dir = jobDirectory(job);
        if (!Files.isRegularFile(dir.resolve(ShellJobProtocol.JOB_SCRIPT))) {
            throw new HostExecutionException(ErrorCode.RESOURCE_NOT_EXISTS,
                    "job " + job.jobId() + " has no files on this host (" + dir + ")");
        }
        List<String> argv = new ArrayList<>();
        if (request.pty() && haveScript) {
            // script(1) gives the shell a terminal of its own; -e passes the shell's exit code on.
            argv.addAll(List.of("/usr/bin/script", "-q", "-f", "-e", "-c", "exec bash -c \"$DSTACK_SSH_SCRIPT\"", "/dev/null"));
        } else {
            argv.addAll(List.of("bash", "-c", ENTER_JOB));
        }
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(baseEnvironment);
        env.put("SHELL", "/bin/bash");
        env.put("DSTACK_SSH_JOB_DIR", dir.toString());
        env.put("DSTACK_SSH_SCRIPT", ENTER_JOB);
        if (request.command() != null) {
            env.put("DSTACK_SSH_COMMAND", request.command());
        }
        if (request.pty()) {
            env.put("TERM", request.term() == null || request.term().isBlank() ? "xterm" : request.term());
            if (request.rows() > 0 && request.columns() > 0) {
                env.put("DSTACK_SSH_ROWS", Integer.toString(request.rows()));
                env.put("DSTACK_SSH_COLUMNS", Integer.toString(request.columns()));
            }
        }
        try {
            return builder.start();
        } catch (IOException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot open a shell in job " + job.jobId() + ": " + e, e);
        }
    }

    /** Sets the size of the terminal that script(1) gave the shell; the kernel then signals SIGWINCH to it. */
    @Override
    public void resize(Process shell, int columns, int rows) {
        if (columns <= 0 || rows <= 0) {
            return;
        }
        for (ProcessHandle process : (Iterable<ProcessHandle>) shell.descendants()::iterator) {
            Path terminal;
            try {
                terminal = Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "fd", "0"));
            } catch (IOException | UnsupportedOperationException e) {
                continue;
            }
            if (terminal.toString().startsWith("/dev/pts/")) {
                try {
                    Process stty = new ProcessBuilder("stty", "-F", terminal.toString(), "rows", Integer.toString(rows),
                            "cols", Integer.toString(columns)).redirectErrorStream(true).start();
                    stty.getInputStream().readAllBytes();
                    stty.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (IOException e) {
                    // the terminal went away meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
        }
    }

    @Override
    public String workingDirectory(JobHandle job) {
        return jobDirectory(job).resolve(ShellJobProtocol.WORK_DIR).toString();
    }

    /**
     * The job's own session, and every process that carries the job's {@code DSTACK_JOB_ID}: what SSH sessions start
     * in the job (an IDE's server started over SSH and left running) has it too, as it takes the job's environment.
     */
    @Override
    public boolean listensOn(JobHandle job, int port) {
        return ListeningPorts.listensOn(session(job).orElse(-1L), "DSTACK_JOB_ID=" + job.jobId(), port);
    }

    @Override
    public InetSocketAddress portAddress(JobHandle job, int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** SIGKILL to every process that still carries the job's {@code DSTACK_JOB_ID}. */
    @Override
    public void endLeftovers(JobHandle job) {
        ListeningPorts.processesWith("DSTACK_JOB_ID=" + job.jobId())
                .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private Optional<Long> session(JobHandle job) {
        try {
            return LocalHostExecutor.jobSession(jobDirectory(job));
        } catch (UncheckedIOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Path jobDirectory(JobHandle job) {
        Path dir = root.resolve(job.jobId()).normalize();
        if (!dir.getParent().equals(root)) {
            throw new HostExecutionException(ErrorCode.INVALID_REQUEST, "job id '" + job.jobId() + "' is not a job name");
        }
        return dir;
    }
}
