package ai.dstack.cli.internal.command;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.Profile;
import ai.dstack.api.configuration.SshHost;
import ai.dstack.api.configuration.SshKey;
import ai.dstack.api.configuration.SshParams;
import ai.dstack.api.configuration.SshProxy;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.ApplyFleetRequest;
import ai.dstack.client.DstackProject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dstack apply -f} of a fleet file: sends the keys' contents in place of {@code identity_file} (as dstack's CLI
 * does, so the server need not see the user's files), shows the hosts, asks, applies, and waits until every host is
 * up or reports what is wrong with the ones that are not.
 */
final class FleetApplication {
    private static final Duration POLL = Duration.ofMillis(500);

    private final DstackProject project;
    private final CliEnvironment environment;
    private final PrintWriter out;

    FleetApplication(DstackProject project, CliEnvironment environment, PrintWriter out) {
        this.project = project;
        this.environment = environment;
        this.out = out;
    }

    int apply(FleetConfiguration configuration, String file, boolean yes, boolean detach) throws InterruptedException {
        if (configuration.sshConfig() == null) {
            throw CliException.failure("only SSH fleets (with ssh_config) can be applied by this server yet (" + file
                    + ")");
        }
        FleetSpec spec = new FleetSpec(withKeys(configuration), file, Profile.defaultProfile(), false);
        FleetPlan plan = project.getFleetPlan(spec);
        printPlan(plan, file);
        String name = configuration.name() != null ? configuration.name() : "(a generated name)";
        String verb = plan.action() == ApplyAction.UPDATE ? "Update" : "Create";
        if (!yes && !Confirmation.ask(environment, out, verb + " the fleet " + name + "?", "-y")) {
            out.println("Fleet not applied");
            return ExitStatus.FAILURE;
        }
        Fleet fleet = project.applyFleet(new ApplyFleetRequest(spec, plan.currentResource(), false));
        out.println((plan.action() == ApplyAction.UPDATE ? "Updated" : "Created") + " fleet " + fleet.name());
        out.flush();
        if (detach) {
            out.println("Detached. See its hosts with `dstack fleet`.");
            return ExitStatus.OK;
        }
        return awaitHosts(fleet.name());
    }

    private void printPlan(FleetPlan plan, String file) {
        FleetConfiguration configuration = plan.spec().configuration();
        out.println(" Project        " + plan.projectName());
        out.println(" User           " + plan.user());
        out.println(" Configuration  " + file);
        out.println(" Type           fleet");
        out.println(" Fleet name     " + (configuration.name() == null ? "-" : configuration.name()));
        out.println(" Blocks         " + (configuration.blocks().isAuto() ? "auto" : configuration.blocks().count()));
        out.println(" Hosts");
        SshParams ssh = configuration.sshConfig();
        for (SshHost host : ssh.hosts()) {
            String user = host.user() != null ? host.user() : ssh.user();
            int port = host.port() != null ? host.port() : ssh.port() != null ? ssh.port() : 22;
            SshProxy proxy = host.proxyJump() != null ? host.proxyJump() : ssh.proxyJump();
            out.println("   " + (user == null ? "" : user + "@") + host.hostname() + ":" + port
                    + (proxy == null ? "" : " via " + proxy.user() + "@" + proxy.hostname()));
        }
        if (plan.currentResource() != null) {
            out.println(" Fleet " + plan.currentResource().name() + " exists with "
                    + plan.currentResource().instances().size() + " instance(s): hosts added to the file are added,"
                    + " hosts removed from it are removed");
        }
        out.println();
        out.flush();
    }

    /** Waits until every instance is up (0), or every one that is not up has said why (1). */
    private int awaitHosts(String fleetName) throws InterruptedException {
        Map<Integer, String> reported = new HashMap<>();
        while (true) {
            Fleet fleet = project.getFleet(fleetName);
            boolean allUp = true;
            boolean allSettled = true;
            for (Instance instance : fleet.instances()) {
                boolean up = instance.status() == InstanceStatus.IDLE || instance.status() == InstanceStatus.BUSY;
                String state = up ? "up" : instance.terminationReasonMessage();
                if (state != null && !state.equals(reported.get(instance.instanceNum()))) {
                    reported.put(instance.instanceNum(), state);
                    out.println(up ? "Instance " + instance.name() + " is up"
                            + (instance.instanceType() == null ? "" : ": " + describe(instance))
                            : "Instance " + instance.name() + " is not up: " + state);
                    out.flush();
                }
                allUp &= up;
                allSettled &= up || instance.terminationReasonMessage() != null;
            }
            if (allUp) {
                return ExitStatus.OK;
            }
            if (allSettled) {
                out.println("The server keeps trying the hosts that are not up; fix them and see `dstack fleet`.");
                return ExitStatus.FAILURE;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static String describe(Instance instance) {
        var resources = instance.instanceType().resources();
        return resources.cpus() + " CPUs, " + Math.round(resources.memoryMib() / 1024.0) + "GB memory"
                + (resources.gpus().isEmpty() ? "" : ", " + resources.gpus().size() + "x" + resources.gpus().get(0).name())
                + ", " + (instance.totalBlocks() == null ? 1 : instance.totalBlocks()) + " block(s)";
    }

    /** The configuration with each {@code identity_file} read into {@code ssh_key}, as dstack's CLI sends it. */
    static FleetConfiguration withKeys(FleetConfiguration c) {
        SshParams ssh = c.sshConfig();
        List<SshHost> hosts = ssh.hosts().stream().map(h -> h.bare() || h.identityFile() == null && h.proxyJump() == null
                ? h : new SshHost(h.hostname(), h.port(), h.user(), h.identityFile(), withKey(h.proxyJump()),
                        h.internalIp(), key(h.identityFile(), h.sshKey()), h.blocks(), false)).toList();
        SshParams withKeys = new SshParams(ssh.user(), ssh.port(), ssh.identityFile(),
                key(ssh.identityFile(), ssh.sshKey()), withKey(ssh.proxyJump()), hosts, ssh.network());
        return new FleetConfiguration(c.name(), c.placement(), c.blocks(), c.nodes(), c.reservation(), c.resources(),
                c.backends(), c.regions(), c.availabilityZones(), c.instanceTypes(), c.spotPolicy(), c.retry(),
                c.maxPrice(), c.idleDuration(), c.tags(), c.backendOptions(), withKeys, c.env());
    }

    private static SshProxy withKey(SshProxy proxy) {
        return proxy == null ? null : new SshProxy(proxy.hostname(), proxy.port(), proxy.user(), proxy.identityFile(),
                key(proxy.identityFile(), proxy.sshKey()));
    }

    private static SshKey key(String identityFile, SshKey given) {
        if (identityFile == null || given != null && given.privateKey() != null) {
            return given;
        }
        Path file = expandHome(identityFile);
        try {
            String privateKey = Files.readString(file);
            Path pub = Path.of(file + ".pub");
            return new SshKey(Files.exists(pub) ? Files.readString(pub).strip() : "", privateKey);
        } catch (IOException e) {
            throw CliException.usage("cannot read identity_file " + identityFile + ": " + e.getMessage());
        }
    }

    private static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), path.substring(1).replaceFirst("^/", ""));
        }
        return Path.of(path);
    }
}
