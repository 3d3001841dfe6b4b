package ai.dstack.core.internal.runs;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.InstanceMountPoint;
import ai.dstack.api.configuration.MountPoint;
import ai.dstack.api.configuration.OffDuration;
import ai.dstack.api.configuration.PortMapping;
import ai.dstack.api.configuration.Profile;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.ProfileRetry;
import ai.dstack.api.configuration.RegistryAuth;
import ai.dstack.api.configuration.RepoExistsAction;
import ai.dstack.api.configuration.RepoSpec;
import ai.dstack.api.configuration.RunBase;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.configuration.VolumeMountPoint;
import ai.dstack.api.resources.CpuArch;
import ai.dstack.api.resources.CpuSpec;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.AppSpec;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.api.run.ProbeSpec;
import ai.dstack.api.run.Requirements;
import ai.dstack.api.run.Retry;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.UnixUser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Builds the job specs of one replica of a run, field by field as dstack's job configurators do
 * ({@code server/services/jobs/configurators}). One instance serves one run spec; it remembers the custom image's
 * configuration once read.
 */
final class JobConfigurator {
    /** An image name that never reaches a registry: dstack uses it to collect offers only. */
    static final String DUMMY_IMAGE_NAME = "scratch";
    static final String DSTACK_DIR = "/dstack";
    static final String DSTACK_PROFILE_PATH = DSTACK_DIR + "/profile";
    static final int DEFAULT_STOP_DURATION = 300;
    static final int RESERVED_PORTS_START = 10000;
    static final int RESERVED_PORTS_END = 10999;
    static final String DSTACK_SERVER_URL_ENV = "DSTACK_SERVER_URL";
    static final String DSTACK_RUN_SERVER_URL = "http+unix://%2Frun%2Fdstack%2Fserver.sock";

    /**
     * What differs between configuration types beyond their groups.
     *
     * @param defaultSingleBranch false for dev environments, true otherwise
     * @param topLevelCommands the configuration's own {@code commands}, appended to an {@code entrypoint}
     * @param servicePort the service's container port; null for other types
     */
    record Kind(boolean defaultSingleBranch, List<String> topLevelCommands, Integer servicePort, List<ProbeSpec> probes) {
        Kind {
            topLevelCommands = List.copyOf(topLevelCommands);
            probes = List.copyOf(probes);
        }
    }

    private final RunSpec spec;
    private final RunBase conf;
    private final ProfileParams profile;
    private final Kind kind;
    private final JobDefaults defaults;
    private final ImageInspector inspector;
    private final Map<String, String> secrets;
    private final Supplier<JobSshKey> sshKeys;
    private final Map<String, ImageInspector.ImageConfig> inspected = new HashMap<>();

    JobConfigurator(RunSpec spec, Kind kind, JobDefaults defaults, ImageInspector inspector, Map<String, String> secrets,
            Supplier<JobSshKey> sshKeys) {
        this.spec = spec;
        this.conf = spec.configuration().base();
        this.profile = MergedProfile.of(spec).params();
        this.kind = kind;
        this.defaults = defaults;
        this.inspector = inspector;
        this.secrets = secrets;
        this.sshKeys = sshKeys;
    }

    /**
     * The jobs of one replica: each group contributes {@code nodes} jobs, numbered on across groups.
     *
     * @param replicaGroupName the service replica group, or null for other types
     */
    List<JobSpec> replicaJobs(int replicaNum, String replicaGroupName, List<JobGroup> groups) {
        int total = groups.stream().mapToInt(JobGroup::nodes).sum();
        // One key for all jobs of a replica, so that its nodes can reach each other.
        JobSshKey sshKey = total >= 2 ? sshKeys.get() : null;
        List<JobSpec> jobs = new ArrayList<>();
        int jobNum = 0;
        for (JobGroup group : groups) {
            for (int local = 0; local < group.nodes(); local++) {
                jobs.add(jobSpec(replicaNum, jobNum, total, replicaGroupName, group, local, sshKey));
                jobNum++;
            }
        }
        return jobs;
    }

    private JobSpec jobSpec(int replicaNum, int jobNum, int jobsPerReplica, String replicaGroupName, JobGroup group,
            int groupJobIndex, JobSshKey sshKey) {
        return new JobSpec(
                replicaNum,
                jobNum,
                spec.runName() + "-" + jobNum + "-" + replicaNum,
                jobsPerReplica,
                replicaGroupName != null ? replicaGroupName : ConfigurationTree.DEFAULT_GROUP_NAME,
                appSpecs(group.ports()),
                user(group),
                commands(group),
                env(),
                conf.homeDir(),
                imageName(group),
                privileged(group),
                conf.singleBranch() != null ? conf.singleBranch() : kind.defaultSingleBranch(),
                maxDuration(),
                stopDuration(),
                profile.utilizationPolicy(),
                conf.registryAuth(),
                requirements(jobsPerReplica, group),
                retry(),
                volumes(jobNum),
                sshKey,
                workingDir(),
                spec.repoData(),
                spec.repoCodeHash(),
                repoDir(),
                repoExistsAction(),
                spec.fileArchives(),
                kind.servicePort(),
                kind.probes(),
                group.index(),
                group.name(),
                groupJobIndex);
    }

    // --- commands -------------------------------------------------------------------------------------------------

    private List<String> commands(JobGroup group) {
        List<String> result = new ArrayList<>();
        if (conf.entrypoint() != null) {
            try {
                result.addAll(Shlex.split(conf.entrypoint()));
            } catch (IllegalArgumentException e) {
                throw new DstackException(ErrorCode.ERROR, "Invalid entrypoint " + conf.entrypoint() + ": " + e.getMessage());
            }
            result.addAll(kind.topLevelCommands());
        } else if (!group.shellCommands().isEmpty()) {
            List<String> all = new ArrayList<>(dstackImageCommands(group));
            all.addAll(group.shellCommands());
            result.addAll(List.of(shell(group), "-i", "-c", joinShellCommands(all)));
        } else if (DUMMY_IMAGE_NAME.equals(imageName(group))) {
            result.add(":");
        } else if (inspector != null) {
            ImageInspector.ImageConfig image = imageConfig(imageName(group));
            result.addAll(image.entrypoint());
            result.addAll(image.cmd());
        } else {
            // Nothing can read the image here: no command means the container runs its own ENTRYPOINT and CMD.
            return List.of();
        }
        if (result.isEmpty()) {
            throw new DstackException(ErrorCode.ERROR, "Could not determine what command to run. "
                    + "Please specify either `commands` or `entrypoint` in your run configuration");
        }
        return result;
    }

    /** {@code c1 && c2 && ...}; a command ending in {@code &} is wrapped as {@code { c & }} so that {@code &&} parses. */
    static String joinShellCommands(List<String> commands) {
        List<String> out = new ArrayList<>();
        for (String command : commands) {
            String cmd = command.strip();
            out.add(cmd.endsWith("&") ? "{ " + cmd + " }" : cmd);
        }
        return String.join(" && ", out);
    }

    private String shell(JobGroup group) {
        if (conf.shell() != null) {
            return conf.shell().startsWith("/") ? conf.shell() : "/bin/" + conf.shell();
        }
        if (Boolean.TRUE.equals(group.docker())) {
            return "/bin/bash";
        }
        if (group.image() != null) {
            return "/bin/sh";
        }
        return conf.image() == null ? "/bin/bash" : "/bin/sh";
    }

    private List<String> dstackImageCommands(JobGroup group) {
        if (Boolean.TRUE.equals(group.docker())) {
            return List.of("start-dockerd");
        }
        if (group.image() != null) {
            return List.of();
        }
        if (Boolean.TRUE.equals(conf.docker())) {
            return List.of("start-dockerd");
        }
        if (conf.image() != null || conf.entrypoint() != null || !defaults.imageSetup()) {
            return List.of();
        }
        String python = (group.python() != null ? group.python()
                : conf.python() != null ? conf.python() : defaults.defaultPython()).wireValue();
        return List.of(
                "eval $(echo 'export DSTACK_VENV_DIR=" + DSTACK_DIR + "/venv' | sudo tee -a " + DSTACK_PROFILE_PATH + ")",
                "sudo rm -rf $DSTACK_VENV_DIR",
                "sudo mkdir $DSTACK_VENV_DIR",
                "sudo chown $(id -u):$(id -g) $DSTACK_VENV_DIR",
                "uv venv -q --prompt dstack -p " + python + " --seed $DSTACK_VENV_DIR",
                "eval $(echo '. $DSTACK_VENV_DIR/bin/activate' | sudo tee -a " + DSTACK_PROFILE_PATH + ")");
    }

    // --- image, user, privileges ----------------------------------------------------------------------------------

    String imageName(JobGroup group) {
        if (Boolean.TRUE.equals(group.docker())) {
            return defaults.dindImage();
        }
        if (group.image() != null) {
            return group.image();
        }
        if (Boolean.TRUE.equals(group.nvcc())) {
            return defaults.defaultImage(true);
        }
        if (Boolean.TRUE.equals(conf.docker())) {
            return defaults.dindImage();
        }
        if (conf.image() != null) {
            return conf.image();
        }
        return defaults.defaultImage(Boolean.TRUE.equals(conf.nvcc()));
    }

    private boolean privileged(JobGroup group) {
        if (Boolean.TRUE.equals(group.docker())) {
            return true;
        }
        if (group.privileged() != null) {
            return group.privileged();
        }
        return Boolean.TRUE.equals(conf.docker()) || conf.privileged();
    }

    private UnixUser user(JobGroup group) {
        if (conf.user() != null) {
            return UnixUsers.parse(conf.user());
        }
        String customImage = group.image() != null ? group.image() : conf.image();
        if (customImage == null || DUMMY_IMAGE_NAME.equals(customImage) || inspector == null) {
            return null;
        }
        String imageUser = imageConfig(imageName(group)).user();
        return imageUser == null ? null : UnixUsers.parse(imageUser);
    }

    private ImageInspector.ImageConfig imageConfig(String image) {
        return inspected.computeIfAbsent(image, name -> {
            RegistryAuth auth = JobSpecSecrets.registryAuth(conf.registryAuth(), Interpolation.secrets(secrets));
            return inspector.inspect(name, auth);
        });
    }

    // --- env, ports, paths ----------------------------------------------------------------------------------------

    private Map<String, String> env() {
        if (!conf.env().unresolved().isEmpty()) {
            throw new DstackException(ErrorCode.ERROR,
                    "not all variables are resolved: " + String.join(", ", new TreeSet<>(conf.env().unresolved())));
        }
        Map<String, String> env = new LinkedHashMap<>(conf.env().variables());
        if (conf.dstack()) {
            env.putIfAbsent(DSTACK_SERVER_URL_ENV, DSTACK_RUN_SERVER_URL);
        }
        return env;
    }

    private static List<AppSpec> appSpecs(List<PortMapping> ports) {
        List<AppSpec> specs = new ArrayList<>();
        for (PortMapping port : ports) {
            if (port.containerPort() >= RESERVED_PORTS_START && port.containerPort() <= RESERVED_PORTS_END) {
                continue;
            }
            specs.add(new AppSpec(port.containerPort(), port.localPort(), "app_" + specs.size(), null, null));
        }
        return specs;
    }

    private String workingDir() {
        String dir = conf.workingDir();
        if (dir == null || dir.startsWith("/") || dir.startsWith("~")) {
            return dir;
        }
        // A relative working dir is how configurations before 0.20 meant "under the repo".
        return joinPosix(JobSpec.LEGACY_REPO_DIR, dir);
    }

    /** Python's {@code str(PurePosixPath(base) / relative)}: empty and {@code .} parts dropped. */
    static String joinPosix(String base, String relative) {
        StringBuilder out = new StringBuilder(base);
        for (String part : relative.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                out.append('/').append(part);
            }
        }
        return out.toString();
    }

    private String repoDir() {
        if (!conf.repos().isEmpty()) {
            return conf.repos().get(0).path();
        }
        // Specs submitted before `repos[].path` existed carry the repo dir at the top level.
        return spec.repoDir() != null ? spec.repoDir() : JobSpec.LEGACY_REPO_DIR;
    }

    private RepoExistsAction repoExistsAction() {
        if (conf.repos().isEmpty()) {
            return null;
        }
        RepoSpec repo = conf.repos().get(0);
        return repo.ifExists() != null ? repo.ifExists() : RepoExistsAction.ERROR;
    }

    private List<MountPoint> volumes(int jobNum) {
        Interpolation interpolation = new Interpolation(Map.of("dstack",
                Map.of("job_num", Integer.toString(jobNum), "node_rank", Integer.toString(jobNum))));
        List<MountPoint> out = new ArrayList<>();
        for (MountPoint mount : conf.volumes()) {
            if (mount instanceof VolumeMountPoint volume) {
                List<String> names = volume.names().stream().map(interpolation::interpolateOrError).toList();
                out.add(new VolumeMountPoint(names, volume.path(), true));
            } else {
                InstanceMountPoint instance = (InstanceMountPoint) mount;
                out.add(instance);
            }
        }
        return out;
    }

    // --- profile-derived fields -----------------------------------------------------------------------------------

    private Integer maxDuration() {
        return seconds(profile.maxDuration(), null);
    }

    private Integer stopDuration() {
        return seconds(profile.stopDuration(), DEFAULT_STOP_DURATION);
    }

    /** Unset: the default; {@code off}: no limit (null); otherwise the seconds. */
    private static Integer seconds(OffDuration duration, Integer whenUnset) {
        if (duration == null) {
            return whenUnset;
        }
        return duration.isOff() ? null : Math.toIntExact(duration.seconds());
    }

    private Retry retry() {
        if (profile.retry() == null) {
            return null;
        }
        ProfileRetry effective = profile.retry().effective();
        return effective == null ? null : new Retry(effective.onEvents(), Math.toIntExact(effective.duration()));
    }

    private Requirements requirements(int jobsPerReplica, JobGroup group) {
        ResourcesSpec resources = group.resources();
        String image = group.image() != null ? group.image() : conf.image();
        if (resources.cpu().arch() == null && !DUMMY_IMAGE_NAME.equals(image)) {
            CpuArch arch = null;
            if (image == null) {
                arch = CpuArch.X86; // dstack's base and dind images are x86 only
            } else if (inspector != null) {
                var architectures = imageConfig(imageName(group)).architectures();
                // A multi-arch image keeps the arch open: any the image supports.
                arch = architectures.size() == 1 ? architectures.iterator().next() : null;
            }
            if (arch != null) {
                resources = new ResourcesSpec(new CpuSpec(arch, resources.cpu().count()), resources.memory(),
                        resources.shmSize(), resources.gpu(), resources.disk());
            }
        }
        SpotPolicy spotPolicy = group.spotPolicy() != null ? group.spotPolicy()
                : Objects.requireNonNullElse(profile.spotPolicy(), SpotPolicy.ON_DEMAND);
        return new Requirements(
                resources,
                profile.maxPrice(),
                spotPolicy == SpotPolicy.AUTO ? null : spotPolicy == SpotPolicy.SPOT,
                group.reservation() != null ? group.reservation() : profile.reservation(),
                jobsPerReplica > 1,
                profile.backendOptions());
    }
}
