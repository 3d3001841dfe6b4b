package ai.dstack.cli.internal.ssh;

import ai.dstack.api.run.AppSpec;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobConnectionInfo;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.CliException;
import ai.dstack.client.DstackClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Being attached to a running job over SSH, as dstack's {@code Run.attach()} with sshproxy: a host entry for the run
 * in {@code ~/.dstack/ssh/config} (so {@code ssh <run>} and IDE links work), {@code ~/.ssh/config} including that
 * file, and a tunnel forwarding the job's ports. {@link #close()} removes the entry and the tunnel.
 */
public final class RunConnection implements AutoCloseable {
    private final Path dstackSshConfig;
    private final String hostAlias;
    private final JobTunnel tunnel;
    private final boolean sshConfigIncluded;
    private final boolean onThisMachine;

    private RunConnection(Path dstackSshConfig, String hostAlias, JobTunnel tunnel, boolean sshConfigIncluded,
            boolean onThisMachine) {
        this.onThisMachine = onThisMachine;
        this.dstackSshConfig = dstackSshConfig;
        this.hostAlias = hostAlias;
        this.tunnel = tunnel;
        this.sshConfigIncluded = sshConfigIncluded;
    }

    /** How to attach: the local address to bind, local port overrides (remote to local), a key to use instead. */
    public record Options(String bindHost, Map<Integer, Integer> portOverrides, Path identity) {
        public static final Options DEFAULTS = new Options(null, Map.of(), null);

        public Options {
            portOverrides = Map.copyOf(portOverrides);
        }
    }

    /**
     * Attaches to the run's first job (replica 0, job 0) when the server tells how to reach it over SSH; empty when it
     * does not (its SSH server is off, or the job is not running).
     */
    public static Optional<RunConnection> open(CliEnvironment environment, DstackClient client, Run run, Options options) {
        Job job = run.jobs().stream().filter(j -> j.jobSpec().replicaNum() == 0 && j.jobSpec().jobNum() == 0).findFirst()
                .orElse(run.jobs().isEmpty() ? null : run.jobs().get(0));
        JobConnectionInfo info = job == null ? null : job.jobConnectionInfo();
        if (info == null || info.sshproxyHostname() == null || info.sshproxyUpstreamId() == null) {
            return Optional.empty();
        }
        Path sshDir = environment.home().resolve(".dstack").resolve("ssh");
        Path identity = options.identity() != null ? options.identity().toAbsolutePath()
                : new UserSshKeys(sshDir, client).identityFor(run.runSpec().sshKeyPub());
        String alias = job.jobSpec().replicaNum() == 0 && job.jobSpec().jobNum() == 0 ? run.runSpec().runName()
                : job.jobSpec().jobName();
        int port = info.sshproxyPort() == null ? 22 : info.sshproxyPort();
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("HostName", info.sshproxyHostname());
        entry.put("Port", Integer.toString(port));
        entry.put("User", info.sshproxyUpstreamId());
        entry.put("IdentityFile", identity.toString());
        entry.put("IdentitiesOnly", "yes");
        // The server's SSH endpoint keeps its host key: trust it on first use and refuse a changed one, in a file of
        // dstack's own so that a reinstalled server does not trip the user's ~/.ssh/known_hosts.
        Path knownHosts = sshDir.resolve("known_hosts");
        entry.put("StrictHostKeyChecking", "accept-new");
        entry.put("UserKnownHostsFile", knownHosts.toString());
        Path dstackSshConfig = sshDir.resolve("config");
        boolean included = SshConfigFiles.include(environment.home().resolve(".ssh").resolve("config"), dstackSshConfig,
                environment.home());
        try {
            SshConfigFiles.update(dstackSshConfig, alias, entry);
        } catch (IOException e) {
            throw CliException.failure("cannot write the run's host entry to " + dstackSshConfig + ": " + e.getMessage());
        }
        try {
            boolean here = onThisMachine(info, job);
            JobTunnel tunnel = JobTunnel.open(info.sshproxyHostname(), port, info.sshproxyUpstreamId(), identity,
                    knownHosts, options.bindHost() == null ? "localhost" : options.bindHost(), ports(job.jobSpec(), options, here));
            return Optional.of(new RunConnection(dstackSshConfig, alias, tunnel, included, here));
        } catch (RuntimeException e) {
            removeEntry(dstackSshConfig, alias);
            throw e;
        }
    }

    /**
     * dstack's port reservation: each app port at its mapped local port (or any free one), a service's port at the
     * same local port, then the overrides.
     */
    private static Map<Integer, Integer> ports(JobSpec spec, Options options, boolean onThisMachine) {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        if (spec.appSpecs() != null) {
            for (AppSpec app : spec.appSpecs()) {
                ports.put(app.port(), app.mapToPort() == null ? 0 : app.mapToPort());
            }
        }
        if (spec.servicePort() != null) {
            ports.putIfAbsent(spec.servicePort(), spec.servicePort());
        }
        if (onThisMachine) {
            // The job listens on this machine itself: taking its own port here would fight it for the port (it fails
            // with "address in use", or we do). Forward from a free port instead; the attach message prints it.
            ports.replaceAll((remote, local) -> remote.equals(local) ? 0 : local);
        }
        for (Map.Entry<Integer, Integer> override : options.portOverrides().entrySet()) {
            if (!ports.containsKey(override.getKey())) {
                throw CliException.usage("Cannot override port " + override.getKey() + " not exposed by the run");
            }
            ports.put(override.getKey(), override.getValue());
        }
        return ports;
    }

    /**
     * Whether the job runs on the machine this CLI runs on: the server's SSH endpoint is on loopback (the server is
     * here) and the job is on the server's own machine (the local fleet).
     */
    static boolean onThisMachine(JobConnectionInfo info, Job job) {
        JobSubmission latest = job.latestSubmission();
        JobProvisioningData provisioning = latest == null ? null : latest.jobProvisioningData();
        return provisioning != null && isLoopback(info.sshproxyHostname()) && isLoopback(provisioning.hostname());
    }

    private static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.strip().toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    /** The host alias {@code ssh} takes: the run name for its first job. */
    public String hostAlias() {
        return hostAlias;
    }

    /** Remote port to the local port it is forwarded from. */
    public Map<Integer, Integer> forwardedPorts() {
        return tunnel.forwarded();
    }

    /** Whether the job runs on this machine (then its ports are open here as they are, besides the forwards). */
    public boolean onThisMachine() {
        return onThisMachine;
    }

    /** False when {@code ~/.ssh/config} could not be made to include dstack's file. */
    public boolean sshConfigIncluded() {
        return sshConfigIncluded;
    }

    @Override
    public void close() {
        tunnel.close();
        removeEntry(dstackSshConfig, hostAlias);
    }

    private static void removeEntry(Path file, String alias) {
        try {
            SshConfigFiles.update(file, alias, Map.of());
        } catch (IOException e) {
            // Leaving a stale entry is harmless: the next attach replaces it.
        }
    }
}
