package ai.dstack.server.internal.ssh;

import ai.dstack.core.app.SshJob;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobShells;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.forward.TcpipServerChannel;

/**
 * {@code direct-tcpip} channels that reach a job's port where the job really listens: a service replica in its own
 * network namespace is reached through the engine's bridge to it, not on the host's loopback, where the same port
 * number may belong to another replica or to nothing. The job's own port is checked by {@link JobPortFilter} first;
 * only then is the connection sent to the address the host gives for it.
 */
final class JobPortChannels extends TcpipServerChannel.TcpipFactory {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobPortChannels.class);
    private final JobShells shells;
    private final JobPortFilter filter;

    JobPortChannels(JobShells shells, JobPortFilter filter) {
        super(TcpForwardingFilter.Type.Direct);
        this.shells = shells;
        this.filter = filter;
    }

    @Override
    public Channel createChannel(Session session) throws IOException {
        return new JobPortChannel(ThreadUtils.noClose(getExecutorService()));
    }

    private final class JobPortChannel extends TcpipServerChannel {
        /**
         * Refused as MINA refuses (OpenSSH prints "open failed: administratively prohibited"; MINA sends the reason
         * code, not the text), with the reason in the server's log.
         */
        private OpenFuture refused(String reason) {
            LOG.info("Port forwarding refused: {}", reason);
            DefaultOpenFuture future = new DefaultOpenFuture(reason, new Object());
            future.setException(new SshChannelOpenException(getChannelId(),
                    SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, reason));
            close(true); // as MINA's own refusal does
            return future;
        }

        JobPortChannel(org.apache.sshd.common.util.threads.CloseableExecutorService executor) {
            super(TcpForwardingFilter.Type.Direct, executor);
        }

        @Override
        protected OpenFuture doInit(Buffer buffer) {
            int start = buffer.rpos();
            String host = buffer.getString();
            int port = buffer.getInt();
            String originHost = buffer.getString();
            int originPort = buffer.getInt();
            buffer.rpos(start);
            SshJob target = getSession().getAttribute(SessionTargets.TARGET);
            SshdSocketAddress asked = new SshdSocketAddress(host, port);
            if (target == null) {
                return super.doInit(buffer); // refused there, with the usual reply
            }
            if (!filter.canConnect(TcpForwardingFilter.Type.Direct, asked, getSession())) {
                return refused(host + ":" + port + " is not a port of run " + target.runSpec().runName()
                        + ": forward one of its configured ports, its service port or a port its own processes listen"
                        + " on (on localhost)");
            }
            InetSocketAddress actual = shells.portAddress(new JobHandle(target.jobId().toString()), port);
            if (actual.getAddress() != null && actual.getAddress().isLoopbackAddress() && actual.getPort() == port) {
                return super.doInit(buffer);
            }
            SshdSocketAddress redirected = new SshdSocketAddress(actual.getHostString(), actual.getPort());
            getSession().setAttribute(JobPortFilter.REDIRECTED, redirected);
            Buffer rewritten = new ByteArrayBuffer();
            rewritten.putString(redirected.getHostName());
            rewritten.putInt(redirected.getPort());
            rewritten.putString(originHost);
            rewritten.putInt(originPort);
            return super.doInit(rewritten);
        }
    }
}
