package ai.dstack.server.internal.ssh;

import ai.dstack.core.app.SshJob;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobShells;
import ai.dstack.spi.host.ShellRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.shell.InvertedShell;
import org.apache.sshd.server.session.ServerSession;

/** One SSH shell or exec request, as a process in the session's job ({@link JobShells#open}). */
final class JobShell implements InvertedShell {
    private final JobShells shells;
    private final String command;
    private ServerSession session;
    private ChannelSession channel;
    private Process process;

    /** @param command null for an interactive shell */
    JobShell(JobShells shells, String command) {
        this.shells = shells;
        this.command = command;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        this.channel = channel;
        SshJob target = SessionTargets.of(channel.getSession());
        Map<String, String> variables = env.getEnv();
        boolean pty = !env.getPtyModes().isEmpty() || variables.containsKey(Environment.ENV_TERM);
        ShellRequest request = new ShellRequest(command, pty, variables.get(Environment.ENV_TERM),
                number(variables.get(Environment.ENV_COLUMNS)), number(variables.get(Environment.ENV_LINES)));
        process = shells.open(new JobHandle(target.jobId().toString()), request);
        if (pty) {
            // The client's window-change request updates the environment, then signals WINCH.
            env.addSignalListener((signalled, signal) -> shells.resize(process,
                    number(variables.get(Environment.ENV_COLUMNS)), number(variables.get(Environment.ENV_LINES))),
                    Signal.WINCH);
        }
    }

    private static int number(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
    }

    @Override
    public OutputStream getInputStream() {
        return process.getOutputStream();
    }

    @Override
    public InputStream getOutputStream() {
        return process.getInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return process.getErrorStream();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public int exitValue() {
        return process.exitValue();
    }

    @Override
    public ServerSession getServerSession() {
        return session;
    }

    @Override
    public void setSession(ServerSession session) {
        this.session = session;
    }

    @Override
    public ChannelSession getServerChannelSession() {
        return channel;
    }
}
