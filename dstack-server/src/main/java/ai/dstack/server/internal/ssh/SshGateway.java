package ai.dstack.server.internal.ssh;

import ai.dstack.core.app.JobAccess;
import ai.dstack.core.app.SshJob;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobShells;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.InvertedShellWrapper;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH server into the engine's running jobs, as dstack's sshproxy is reached: the user name is the job's
 * upstream id, the key must be one the job authorizes. A session opens a shell or runs a command in the job and
 * may forward ports to the job's own ports. An open session counts as being attached to the job (a dev
 * environment's {@code inactivity_duration}); sessions into jobs that ended are closed, and what they left running
 * in them is ended.
 */
public final class SshGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshGateway.class);
    private static final Duration ENDED_JOBS_CHECK = Duration.ofSeconds(2);

    private final SshServer server;
    private final JobAccess targets;
    private final JobShells shells;
    /** Jobs entered over SSH since this server started: once they end, what their sessions left running is ended. */
    private final Set<UUID> entered = ConcurrentHashMap.newKeySet();
    private final JobAccess activity;
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "dstack-ssh-reaper");
        thread.setDaemon(true);
        return thread;
    });

    private SshGateway(SshServer server, JobAccess targets, JobShells shells, JobAccess activity) {
        this.server = server;
        this.targets = targets;
        this.shells = shells;
        this.activity = activity;
    }

    /**
     * Starts listening on {@code host:port} (port 0: any free port).
     *
     * @param hostKey where the server's host key is kept (made on first start), or null for a new key per start
     * @throws IllegalStateException when the engine's host offers no shells into jobs
     * @throws UncheckedIOException when the port cannot be bound; the message names it
     */
    public static SshGateway start(JobAccess jobs, String host, int port, Path hostKey) {
        JobShells shells = jobs.shells().orElseThrow(() -> new IllegalStateException(
                "the engine's host runs jobs elsewhere and offers no shells into them; SSH access needs the local host"));
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost(host);
        server.setPort(port);
        SimpleGeneratorHostKeyProvider keys = hostKey == null ? new SimpleGeneratorHostKeyProvider()
                : new SimpleGeneratorHostKeyProvider(hostKey);
        keys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        keys.setKeySize(256);
        server.setKeyPairProvider(keys);
        // As OpenSSH's sshd for interactive sessions: keystrokes and small replies go out at once, not after a delayed ACK.
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(server, true);
        JobAccess targets = jobs;
        server.setPublickeyAuthenticator(new JobKeyAuthenticator(targets));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setShellFactory(channel -> new InvertedShellWrapper(new JobShell(shells, null)));
        server.setCommandFactory((channel, command) -> new InvertedShellWrapper(new JobShell(shells, command)));
        JobPortFilter ports = new JobPortFilter(shells);
        server.setForwardingFilter(ports);
        // direct-tcpip goes where the job's port really is (a service replica's own network), once the filter agrees
        List<ChannelFactory> channels = new java.util.ArrayList<>(server.getChannelFactories());
        channels.replaceAll(factory -> factory instanceof org.apache.sshd.server.forward.DirectTcpipFactory
                ? new JobPortChannels(shells, ports) : factory);
        server.setChannelFactories(channels);
        SshGateway gateway = new SshGateway(server, targets, shells, jobs);
        server.addSessionListener(gateway.attachments());
        try {
            server.start();
        } catch (BindException e) {
            // Not chained: callers that tell a taken HTTP port by its BindException must not take this for one.
            String message = "cannot listen for SSH on " + host + ":" + port + ": " + e.getMessage()
                    + " (set DSTACK_SERVER_SSH_PORT to a free port)";
            throw new UncheckedIOException(message, new IOException(message));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the SSH server on " + host + ":" + port + ": " + e, e);
        }
        gateway.reaper.scheduleWithFixedDelay(gateway::closeSessionsOfEndedJobs, ENDED_JOBS_CHECK.toMillis(),
                ENDED_JOBS_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("SSH into jobs at {}:{}", host, gateway.port());
        return gateway;
    }

    /** The port listened on (the chosen one when started with port 0). */
    public int port() {
        return server.getPort();
    }

    private SessionListener attachments() {
        return new SessionListener() {
            @Override
            public void sessionEvent(Session session, Event event) {
                if (event == Event.Authenticated) {
                    // The user name of the attempt whose signature verified: only now is the session the job's.
                    SshJob target = targets.find(session.getUsername()).orElse(null);
                    if (target != null) {
                        session.setAttribute(SessionTargets.TARGET, target);
                        entered.add(target.jobId());
                        session.setAttribute(SessionTargets.ATTACHMENT, activity.attach(target.jobId()));
                    }
                }
            }

            @Override
            public void sessionClosed(Session session) {
                JobAccess.Attachment attachment = session.removeAttribute(SessionTargets.ATTACHMENT);
                if (attachment != null) {
                    attachment.close();
                }
            }
        };
    }

    /** Closes sessions into jobs that ended, and ends what sessions left running in them. */
    private void closeSessionsOfEndedJobs() {
        try {
            List<? extends ServerSession> sessions = server.getActiveSessions().stream()
                    .filter(s -> s instanceof ServerSession).map(s -> (ServerSession) s).toList();
            for (ServerSession session : sessions) {
                SshJob target = session.getAttribute(SessionTargets.TARGET);
                if (target != null && session.isAuthenticated() && !targets.running(target.jobId())) {
                    LOG.debug("Closing the SSH session into job {}: the job ended", target.upstreamId());
                    session.close(true);
                }
            }
            for (UUID jobId : entered) {
                if (!targets.running(jobId)) {
                    entered.remove(jobId);
                    shells.endLeftovers(new JobHandle(jobId.toString()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Checking SSH sessions for ended jobs failed; trying again in {} s", ENDED_JOBS_CHECK.toSeconds(), e);
        }
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        try {
            server.stop(true);
        } catch (IOException e) {
            LOG.warn("Stopping the SSH server failed", e);
        }
    }
}
