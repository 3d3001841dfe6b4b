package ai.dstack.core.internal.runs;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.ConfigurationType;
import ai.dstack.api.configuration.NodeGroup;
import ai.dstack.api.configuration.RunBase;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.api.run.RunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns a run spec into the specs of its jobs, as dstack's server does: a task makes one job per node, a dev
 * environment one job, a service one job per replica of each replica group. The run spec must have been through
 * {@link RunSpecDefaults} and have its name.
 *
 * <p>Job specs keep {@code ${{ secrets.* }}} references in env and registry credentials; {@link JobSpecSecrets}
 * resolves them when a job starts.
 */
public final class JobSpecFactory {
    /** What every dev environment runs before the user's {@code init}: make Jupyter kernels work. */
    static final String INSTALL_IPYKERNEL =
            "(echo 'uv pip install ipykernel...' && uv pip install -q --no-cache-dir ipykernel 2> /dev/null) || "
            + "(echo 'pip install ipykernel...' && pip install -q --no-cache-dir ipykernel 2> /dev/null) || "
            + "echo 'no uv or pip found, ipykernel was not installed'";

    private final JobDefaults defaults;
    private final ImageInspector inspector;
    private final Supplier<JobSshKey> sshKeys;

    /**
     * @param inspector reads custom images' configuration; null when no registry can be reached, in which case an
     *     image run without commands gets no command (the container runs its own) and no user or arch is inferred
     */
    public JobSpecFactory(JobDefaults defaults, ImageInspector inspector) {
        this(defaults, inspector, JobSshKeys::generate);
    }

    JobSpecFactory(JobDefaults defaults, ImageInspector inspector, Supplier<JobSshKey> sshKeys) {
        this.defaults = Objects.requireNonNull(defaults, "defaults is null");
        this.inspector = inspector;
        this.sshKeys = Objects.requireNonNull(sshKeys, "sshKeys is null");
    }

    /** dstack's defaults, no image inspection. */
    public JobSpecFactory() {
        this(JobDefaults.DSTACK, null);
    }

    /**
     * The jobs dstack creates when the run is submitted: none for a scheduled run; the minimum replicas of every
     * replica group for a service (replica numbers counted on across groups); replica 0 otherwise.
     *
     * @param secrets the project's secrets, used only to read a private custom image
     */
    public List<JobSpec> submissionJobSpecs(RunSpec spec, Map<String, String> secrets) {
        if (MergedProfile.of(spec).params().schedule() != null) {
            return List.of();
        }
        return startingJobSpecs(spec, secrets);
    }

    /**
     * The jobs a run starts with, also when a scheduled run's cron fires: the minimum replicas of every replica group
     * for a service, replica 0 otherwise.
     */
    public List<JobSpec> startingJobSpecs(RunSpec spec, Map<String, String> secrets) {
        if (spec.configuration().type() != ConfigurationType.SERVICE) {
            return jobSpecs(spec, secrets, 0, null);
        }
        List<JobSpec> jobs = new ArrayList<>();
        int replicaNum = 0;
        for (ConfigurationTree.ServiceGroup group : ConfigurationTree.of(spec.configuration()).serviceGroups()) {
            for (int i = 0; i < group.minReplicas(); i++) {
                jobs.addAll(jobSpecs(spec, secrets, replicaNum, group.group().name()));
                replicaNum++;
            }
        }
        return jobs;
    }

    /**
     * The jobs of one replica (dstack's {@code get_job_specs_from_run_spec}).
     *
     * @param replicaGroupName the service replica group the replica belongs to; null for tasks and dev environments
     * @throws DstackException with dstack's message when the spec cannot make jobs (unresolved env, unknown IDE, ...)
     */
    public List<JobSpec> jobSpecs(RunSpec spec, Map<String, String> secrets, int replicaNum, String replicaGroupName) {
        Objects.requireNonNull(spec.runName(), "the run needs its name before its jobs are made");
        RunConfiguration configuration = spec.configuration();
        return switch (configuration.type()) {
            case TASK -> task(spec, (TaskConfiguration) configuration, secrets, replicaNum);
            case DEV_ENVIRONMENT -> devEnvironment(spec, secrets, replicaNum);
            case SERVICE -> service(spec, secrets, replicaNum, replicaGroupName);
            case FLEET, VOLUME, GATEWAY -> throw new DstackException(ErrorCode.INVALID_REQUEST,
                    "A " + configuration.type().wireValue() + " configuration does not make jobs");
        };
    }

    private List<JobSpec> task(RunSpec spec, TaskConfiguration task, Map<String, String> secrets, int replicaNum) {
        List<JobGroup> groups = new ArrayList<>();
        if (task.groups() == null) {
            groups.add(JobGroup.plain(ConfigurationTree.DEFAULT_GROUP_NAME, 0, task.nodes() != null ? task.nodes() : 1,
                    task.commands(), task.ports(), task.base().resources()));
        } else {
            for (int i = 0; i < task.groups().size(); i++) {
                NodeGroup g = task.groups().get(i);
                groups.add(JobGroup.plain(g.name() != null ? g.name() : Integer.toString(i), i, g.nodes(), g.commands(),
                        g.ports(), g.resources()));
            }
        }
        JobConfigurator.Kind kind = new JobConfigurator.Kind(true, task.commands(), null, List.of());
        return configurator(spec, kind, secrets).replicaJobs(replicaNum, null, groups);
    }

    private List<JobSpec> devEnvironment(RunSpec spec, Map<String, String> secrets, int replicaNum) {
        ConfigurationTree tree = ConfigurationTree.of(spec.configuration());
        RunBase base = spec.configuration().base();
        String ideName = tree.text("ide");
        Ides ide = ideName == null ? null : Ides.fromWireValue(ideName);
        if (ideName != null && ide == null) {
            throw new DstackException(ErrorCode.ERROR, "Unsupported IDE: " + ideName);
        }
        List<String> commands = new ArrayList<>();
        if (ide != null) {
            commands.addAll(ide.installCommands(tree.text("version"), Ides.EXTENSIONS));
        }
        if (defaults.imageSetup()) {
            // On a host's own shell this would install into the host's Python: only dstack's image gets it.
            commands.add(INSTALL_IPYKERNEL);
        }
        commands.addAll(base.setup());
        commands.add("echo");
        commands.addAll(tree.strings("init"));
        if (ide != null) {
            commands.addAll(ide.readmeCommands(spec.runName()));
        }
        commands.add("echo 'To connect via SSH, use: `ssh " + spec.runName() + "`'");
        commands.add("echo");
        commands.add("echo -n 'To exit, press Ctrl+C.'");
        commands.add("tail -f /dev/null"); // keeps the environment up until it is stopped
        JobGroup group = JobGroup.plain(ConfigurationTree.DEFAULT_GROUP_NAME, 0, 1, commands, tree.ports("ports"),
                base.resources());
        JobConfigurator.Kind kind = new JobConfigurator.Kind(false, List.of(), null, List.of());
        return configurator(spec, kind, secrets).replicaJobs(replicaNum, null, List.of(group));
    }

    private List<JobSpec> service(RunSpec spec, Map<String, String> secrets, int replicaNum, String replicaGroupName) {
        ConfigurationTree tree = ConfigurationTree.of(spec.configuration());
        // Replica groups are not node groups: every service job is node group "0", with the replica group's settings.
        JobGroup group = tree.serviceGroups().stream()
                .map(ConfigurationTree.ServiceGroup::group)
                .filter(g -> g.name().equals(replicaGroupName))
                .findFirst()
                .map(g -> new JobGroup(ConfigurationTree.DEFAULT_GROUP_NAME, 0, 1, g.shellCommands(), List.of(),
                        g.resources(), g.image(), g.docker(), g.nvcc(), g.privileged(), g.python(), g.spotPolicy(),
                        g.reservation()))
                // A group the configuration does not have runs the top-level settings, as in dstack.
                .orElseGet(() -> JobGroup.plain(ConfigurationTree.DEFAULT_GROUP_NAME, 0, 1, tree.strings("commands"),
                        List.of(), spec.configuration().base().resources()));
        JobConfigurator.Kind kind = new JobConfigurator.Kind(true, tree.strings("commands"), tree.serviceContainerPort(),
                tree.serviceProbes());
        return configurator(spec, kind, secrets).replicaJobs(replicaNum, replicaGroupName, List.of(group));
    }

    private JobConfigurator configurator(RunSpec spec, JobConfigurator.Kind kind, Map<String, String> secrets) {
        return new JobConfigurator(spec, kind, defaults, inspector, Objects.requireNonNullElse(secrets, Map.of()), sshKeys);
    }
}
