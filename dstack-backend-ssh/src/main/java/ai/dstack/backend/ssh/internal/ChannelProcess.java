package ai.dstack.backend.ssh.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;

/** A command running in an SSH exec channel, seen as a {@link Process}: its streams, its exit code, its end. */
final class ChannelProcess extends Process {
    private final ChannelExec channel;

    ChannelProcess(ChannelExec channel) {
        this.channel = channel;
    }

    /** Tells the remote terminal its new size (SSH's window-change request). */
    void resize(int columns, int rows) throws IOException {
        channel.sendWindowChange(columns, rows);
    }

    @Override
    public OutputStream getOutputStream() {
        return channel.getInvertedIn();
    }

    @Override
    public InputStream getInputStream() {
        return channel.getInvertedOut();
    }

    @Override
    public InputStream getErrorStream() {
        return channel.getInvertedErr();
    }

    @Override
    public int waitFor() {
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS), 0L);
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 5000L); // the streams' last bytes
        return exitCode();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) {
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), unit.toMillis(timeout));
        return !isAlive();
    }

    @Override
    public int exitValue() {
        if (isAlive()) {
            throw new IllegalThreadStateException("the command is still running");
        }
        return exitCode();
    }

    private int exitCode() {
        Integer status = channel.getExitStatus();
        return status != null ? status : channel.getExitSignal() != null ? 128 + 9 : 255;
    }

    @Override
    public boolean isAlive() {
        return channel.getExitStatus() == null && !channel.isClosed();
    }

    @Override
    public void destroy() {
        channel.close(false);
    }
}
