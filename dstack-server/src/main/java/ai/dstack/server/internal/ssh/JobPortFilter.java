package ai.dstack.server.internal.ssh;

import ai.dstack.api.run.AppSpec;
import ai.dstack.api.run.JobSpec;
import ai.dstack.core.app.SshJob;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobShells;
import java.util.Set;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;

/**
 * Port forwarding into a job and nowhere else: {@code direct-tcpip} to {@code localhost} on a port of the job (its
 * configured {@code ports}, its service port, or one its own processes listen on, which is how an IDE's server is
 * reached). No remote forwarding, no agent, no X11.
 */
final class JobPortFilter implements ForwardingFilter {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1");

    /** Where {@link JobPortChannels} sent an allowed port of the job (a replica's bridge), for this session. */
    static final org.apache.sshd.common.AttributeRepository.AttributeKey<SshdSocketAddress> REDIRECTED =
            new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

    private final JobShells shells;

    JobPortFilter(JobShells shells) {
        this.shells = shells;
    }

    @Override
    public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
        SshdSocketAddress redirected = session.getAttribute(REDIRECTED);
        if (type == Type.Direct && redirected != null && redirected.getHostName().equals(address.getHostName())
                && redirected.getPort() == address.getPort()) {
            return true;
        }
        if (type != Type.Direct || !LOOPBACK.contains(address.getHostName())) {
            return false;
        }
        SshJob target = session.getAttribute(SessionTargets.TARGET);
        if (target == null) {
            return false;
        }
        int port = address.getPort();
        return configured(target.jobSpec(), port) || shells.listensOn(new JobHandle(target.jobId().toString()), port);
    }

    private static boolean configured(JobSpec spec, int port) {
        if (spec.servicePort() != null && spec.servicePort() == port) {
            return true;
        }
        if (spec.appSpecs() != null) {
            for (AppSpec app : spec.appSpecs()) {
                if (app.port() == port) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public boolean canListen(SshdSocketAddress address, Session session) {
        return false;
    }

    @Override
    public boolean canForwardAgent(Session session, String requestType) {
        return false;
    }

    @Override
    public boolean canForwardX11(Session session, String requestType) {
        return false;
    }
}
