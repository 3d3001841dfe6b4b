package ai.dstack.backend.ssh.internal;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.HostResources;
import ai.dstack.spi.host.RemoteHost;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.spi.host.ShellJobProtocol;
import java.time.Duration;
import java.util.Optional;

/**
 * An SSH host: its pooled connection, its checks and its executor. The jobs live under
 * {@value #JOBS_DIR} in the login user's home directory.
 */
final class SshRemoteHost implements RemoteHost, AutoCloseable {
    static final String JOBS_DIR = ".dstack-jvm/jobs";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    private final SshConnection connection;
    private final SshSettings settings;
    private volatile SshHostExecutor executor;

    SshRemoteHost(SshConnection connection, SshSettings settings) {
        this.connection = connection;
        this.settings = settings;
    }

    @Override
    public RemoteHostAddress address() {
        return connection.address();
    }

    @Override
    public HostResources probe() {
        connection.connectOnce();
        String where = address().display();
        CommandResult bash = connection.run("command -v bash", null, PROBE_TIMEOUT);
        if (!bash.succeeded() || bash.out().isBlank()) {
            throw new HostExecutionException(ErrorCode.ERROR, "There is no bash on " + where
                    + ": jobs need it (install bash, or use a login shell that can find it)");
        }
        CommandResult probe = connection.run("bash -s", RemoteScripts.PROBE, PROBE_TIMEOUT);
        HostProbe.Result result = HostProbe.parse(probe.out(), where);
        SshHostExecutor found = executor(result.root());
        found.containerRuntime(result.containerRuntime());
        found.gpus(result.resources().gpus());
        return result.resources();
    }

    @Override
    public HostExecutor executor() {
        SshHostExecutor current = executor;
        if (current != null) {
            return current;
        }
        CommandResult root = connection.run("mkdir -p \"$HOME/" + JOBS_DIR + "/" + ShellJobProtocol.EXITED_DIR
                + "\" && cd \"$HOME/" + JOBS_DIR + "\" && pwd", null, PROBE_TIMEOUT);
        if (!root.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, "Cannot create the jobs directory on "
                    + address().display() + ": " + root.diagnostic());
        }
        return executor(root.out().strip());
    }

    private synchronized SshHostExecutor executor(String root) {
        if (executor == null) {
            executor = new SshHostExecutor(connection, root, settings.exitPoll());
        }
        return executor;
    }

    @Override
    public Optional<String> unreachableReason() {
        return connection.unreachableReason();
    }

    @Override
    public String runScript(String script, Duration timeout) {
        CommandResult result = connection.run("bash -s", script, timeout);
        if (!result.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, "On " + address().display() + ": "
                    + result.diagnostic());
        }
        return result.out();
    }

    @Override
    public void removeEngineFiles() {
        // Only finished jobs' directories go (a directory with an exit file), then the directories if empty.
        String script = "cd \"$HOME/" + JOBS_DIR + "\" 2>/dev/null || exit 0\n"
                + "for d in */; do d=${d%/}; [ -f \"$d/exit\" ] && rm -rf \"$d\" \".exited/$d\"; done\n"
                + "ls -d */ >/dev/null 2>&1 && exit 0\n" // a running job still needs its exit markers directory
                + "rm -f .job-spawner.pl .job-spawner.log\n"
                + "rmdir .exited 2>/dev/null; cd \"$HOME\" && rmdir \"" + JOBS_DIR + "\" .dstack-jvm 2>/dev/null\n"
                + "exit 0\n";
        CommandResult result = connection.run("bash -s", script, PROBE_TIMEOUT);
        if (!result.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, "Cannot remove dstack's files from "
                    + address().display() + ": " + result.diagnostic());
        }
    }

    @Override
    public void close() {
        SshHostExecutor current = executor;
        if (current != null) {
            current.close();
        }
        connection.close();
    }
}
