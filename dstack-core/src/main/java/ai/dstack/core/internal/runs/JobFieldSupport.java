package ai.dstack.core.internal.runs;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.DevEnvironmentConfiguration;
import ai.dstack.api.configuration.FilePathMapping;
import ai.dstack.api.configuration.InstanceMountPoint;
import ai.dstack.api.configuration.MountPoint;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.RepoExistsAction;
import ai.dstack.api.configuration.RepoSpec;
import ai.dstack.api.configuration.RunBase;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.configuration.ServiceConfiguration;
import ai.dstack.api.configuration.ServiceGateway;
import ai.dstack.api.configuration.ServiceHttps;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.configuration.VolumeMountPoint;
import ai.dstack.api.repo.RunRepoData;
import ai.dstack.api.run.RunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The one place that decides which fields of a run configuration the hosts cannot honour: dstack accepts them, so a
 * job that silently ran without them would lie to its user. Plan and apply (and the embedded submit) call
 * {@link #check}; every refusal names the field, the hosts and why. Fields not refused here take effect (the field
 * walk in dstack-engine-tests lists the test that proves each).
 */
public final class JobFieldSupport {
    /** A field the hosts cannot honour, and why. */
    public record Refusal(String field, String reason) {
        public String message() {
            return "`" + field + "`: " + reason;
        }
    }

    /** Every field some rule below may refuse, by its name in {@code .dstack.yml}. */
    public static final Set<String> REFUSABLE_FIELDS = Set.of(
            "python", "nvcc", "user", "privileged", "registry_auth", "docker", "home_dir", "working_dir",
            "single_branch", "setup", "volumes", "repos", "files", "resources", "availability_zones", "reservation",
            "backends", "regions", "spot_policy", "instance_types", "idle_duration", "startup_order", "stop_criteria", "instances", "tags",
            "backend_options", "gateway", "https", "rate_limits", "version");

    /** The backend and region of every host this server places jobs on (its local fleet and SSH fleets). */
    private static final String HOSTS_BACKEND = "remote";

    private JobFieldSupport() {}

    /** Throws dstack's plain {@link ErrorCode#ERROR} naming every field the hosts cannot honour. */
    public static void check(RunSpec spec, HostCapabilities hosts) {
        List<Refusal> refusals = refusals(spec, hosts);
        if (!refusals.isEmpty()) {
            StringBuilder message = new StringBuilder("The run cannot run as configured on ").append(hosts.hosts())
                    .append(':');
            for (Refusal refusal : refusals) {
                message.append("\n- ").append(refusal.message());
            }
            throw new DstackException(ErrorCode.ERROR, message.toString());
        }
    }

    public static List<Refusal> refusals(RunSpec spec, HostCapabilities hosts) {
        RunConfiguration conf = spec.configuration();
        if (conf == null) {
            return List.of();
        }
        List<Refusal> out = new ArrayList<>();
        base(conf.base(), spec, hosts, out);
        profile(conf.profile(), hosts, out);
        if (spec.profile() != null) {
            profile(spec.profile().params(), hosts, out);
        }
        if (conf instanceof ServiceConfiguration service) {
            service(service, out);
        }
        if (conf instanceof DevEnvironmentConfiguration dev && dev.version() != null) {
            out.add(new Refusal("version", "IDE versions are not installed by this server's dev environments yet;"
                    + " remove `version`"));
        }
        return out;
    }

    private static void base(RunBase base, RunSpec spec, HostCapabilities hosts, List<Refusal> out) {
        // Container-only fields take effect only for a job that runs in a container: one with an image (its own, or
        // dstack's base or DinD image for python/nvcc/docker), on hosts with a container runtime.
        boolean inContainer = hosts.containers() && (base.image() != null || DstackImageJobs.runsInDstackImage(base));
        String bare = hosts.containers()
                ? hosts.hosts() + " run a job without `image` directly on the host, so "
                : hosts.hosts() + " run jobs without a container, so ";
        String useImage = hosts.containers() ? "; or add `image`" : "";
        if (!hosts.containers()) {
            if (base.python() != null) {
                out.add(new Refusal("python", "dstack runs `python` jobs in its base image, and " + hosts.hosts()
                        + " have no container runtime to run it; remove `python` to use the host's own Python"));
            }
            if (Boolean.TRUE.equals(base.nvcc())) {
                out.add(new Refusal("nvcc", "dstack runs `nvcc` jobs in its CUDA development image, and "
                        + hosts.hosts() + " have no container runtime to run it; remove `nvcc` to use the host's"
                        + " own CUDA toolkit"));
            }
            if (Boolean.TRUE.equals(base.docker())) {
                out.add(new Refusal("docker", "`docker: true` runs the job in dstack's Docker-in-Docker image, and "
                        + hosts.hosts() + " have no container runtime to run it; remove `docker`"));
            }
        }
        if (!inContainer) {
            if (base.user() != null) {
                out.add(new Refusal("user", bare + "jobs run as the server's job user, not as '" + base.user()
                        + "'; remove `user`" + useImage));
            }
            if (base.privileged()) {
                out.add(new Refusal("privileged", bare + "there is no container to make privileged; remove"
                        + " `privileged`" + useImage));
            }
            if (!RunBase.DEFAULT_HOME_DIR.equals(base.homeDir())) {
                out.add(new Refusal("home_dir", bare + "the job's home is the job user's; remove `home_dir`"
                        + useImage));
            }
            if (base.resources().shmSize() != null) {
                out.add(new Refusal("resources", bare + "`resources.shm_size` has no container to size;"
                        + " remove it" + useImage));
            }
            if (base.registryAuth() != null) {
                out.add(new Refusal("registry_auth", base.image() == null
                        ? "it only applies to pulling an `image`, and this run has none; remove `registry_auth`"
                        : bare + "no image is pulled; remove `registry_auth`"));
            }
        }
        BareHostPaths paths = new BareHostPaths(repoDir(base, spec));
        if (!inContainer && paths.inJobDirectory(base.workingDir()).isEmpty()) {
            out.add(new Refusal("working_dir", bare + "'" + base.workingDir() + "' is outside the job's"
                    + " directory (the repo directory " + paths.repoDir() + "); use a path relative to it or"
                    + " under it"));
        }
        // dstack's single_branch shapes the clone of a remote repo (git clone --single-branch); nothing else.
        if (base.singleBranch() != null && !(spec.repoData() instanceof RunRepoData.Remote)) {
            out.add(new Refusal("single_branch", "it only applies to cloning a remote repo (`repos: [{url:"
                    + " ...}]` or a local clone with a remote), and this run has none; remove `single_branch`"));
        }
        List<RunVolumes.ProjectVolume> located = new ArrayList<>();
        for (MountPoint volume : base.volumes()) {
            if (volume instanceof VolumeMountPoint named) {
                networkVolume(named, hosts, inContainer, bare, paths, located, out);
            } else if (!inContainer) {
                InstanceMountPoint instance = (InstanceMountPoint) volume;
                out.add(new Refusal("volumes", bare + "they cannot mount " + instance.instancePath() + " at "
                        + instance.path() + "; use paths on the host directly" + (hosts.containers()
                        ? ", or add `image`" : ", or a host with a container runtime and `image`")));
            }
        }
        if (!base.repos().isEmpty()) {
            for (MountPoint volume : base.volumes()) {
                if (hides(volume.path(), paths.repoDir())) {
                    out.add(new Refusal("volumes", "a volume at " + volume.path() + " would hide the repo checked out"
                            + " at " + paths.repoDir() + " (the volume is mounted over it); mount it at another path,"
                            + " or give the repo another `path`"));
                }
            }
        }
        for (RunVolumes.ProjectVolume other : located) {
            RunVolumes.ProjectVolume first = located.get(0);
            if (!other.backend().equals(first.backend()) || !other.region().equals(first.region())
                    || !java.util.Objects.equals(other.zone(), first.zone())) {
                out.add(new Refusal("volumes", "volumes " + first.name() + " (" + where(first) + ") and "
                        + other.name() + " (" + where(other) + ") are in different places, and one instance can"
                        + " attach only volumes of its own zone"));
                break;
            }
        }
        if (!base.setup().isEmpty() && !(spec.configuration() instanceof DevEnvironmentConfiguration)) {
            out.add(new Refusal("setup", "`setup` runs only in dev environments (dstack deprecated it in favour"
                    + " of `init`); put these commands first in `commands`"));
        }
        repos(base, spec, out);
        for (FilePathMapping file : base.files()) {
            // In a container an absolute target anywhere is copied into place; `~` has no meaning to the host.
            boolean copied = inContainer && file.path().startsWith("/");
            if (!copied && paths.inJobDirectory(file.path()).isEmpty()) {
                out.add(new Refusal("files", inContainer ? "'" + file.localPath() + ":" + file.path() + "': a target"
                        + " under `~` is not resolved in containers here; use an absolute target or a relative one"
                        : bare + "'" + file.localPath() + ":" + file.path() + "' targets a path outside the job's"
                        + " directory (the repo directory " + paths.repoDir() + "); use a relative target or one under"
                        + " it" + useImage));
            }
        }
    }

    /**
     * A network volume must exist in the run's project, be active, and belong to a cloud backend of the project: the
     * local host and SSH fleet hosts cannot attach cloud disks. On a bare host it is reached at its path in the job's
     * directory.
     */
    private static void networkVolume(VolumeMountPoint named, HostCapabilities hosts, boolean inContainer, String bare,
            BareHostPaths paths, List<RunVolumes.ProjectVolume> located, List<Refusal> out) {
        String name = named.names().get(0);
        if (named.names().size() > 1) {
            out.add(new Refusal("volumes", "network volumes " + String.join(", ", named.names()) + " (at "
                    + named.path() + "): choosing one of several volumes is not supported yet; name one volume"));
            return;
        }
        if (!hosts.hasCloud()) {
            out.add(new Refusal("volumes", "network volume " + name + " (at " + named.path() + "): the local host"
                    + " and SSH fleet hosts cannot attach cloud disks, and the project has no cloud backend whose VMs"
                    + " could; use an instance volume (`instance_path`) or configure the volume's backend"));
            return;
        }
        RunVolumes.ProjectVolume volume = hosts.volumes().get(name);
        if (volume == null) {
            out.add(new Refusal("volumes", "network volume " + name + " does not exist in the project; create it"
                    + " first (`dstack apply -f` a `type: volume` configuration)"));
            return;
        }
        if (!volume.active()) {
            out.add(new Refusal("volumes", "network volume " + name + " is " + volume.status() + ", not active;"
                    + " apply the run once it is active"));
            return;
        }
        if (!hosts.cloudBackends().contains(volume.backend())) {
            out.add(new Refusal("volumes", "network volume " + name + " is on backend " + volume.backend()
                    + ", which the project no longer has"));
            return;
        }
        if (!inContainer && paths.inJobDirectory(named.path()).isEmpty()) {
            out.add(new Refusal("volumes", bare + "network volume " + name + " cannot appear at " + named.path()
                    + ", outside the job's directory (the repo directory " + paths.repoDir() + "); use a path"
                    + " under it" + (hosts.containers() ? ", or add `image`" : "")));
            return;
        }
        located.add(volume);
    }

    /** Whether a volume mounted at {@code mount} covers the directory {@code dir} (the same path or one above it). */
    private static boolean hides(String mount, String dir) {
        if (mount == null || !mount.startsWith("/") || !dir.startsWith("/")) {
            return false;
        }
        String m = mount.replaceAll("/+$", "");
        return m.isEmpty() || dir.equals(m) || dir.startsWith(m + "/");
    }

    private static String where(RunVolumes.ProjectVolume volume) {
        return volume.backend() + " " + (volume.zone() == null ? volume.region() : volume.zone());
    }

    private static void repos(RunBase base, RunSpec spec, List<Refusal> out) {
        if (base.repos().size() > 1) {
            out.add(new Refusal("repos", "a run can have one repo, and this one lists " + base.repos().size()));
        }
        for (RepoSpec repo : base.repos()) {
            // The repo directory is made new in each job's own directory (and mounted over whatever the image has
            // there), so it never exists before the checkout: `error` holds, `skip` would never skip anything.
            if (repo.ifExists() == RepoExistsAction.SKIP) {
                out.add(new Refusal("repos", "`if_exists: skip`: each job's repo directory is new in the job's own"
                        + " directory on " + "these hosts, so there is never an existing checkout to skip; remove"
                        + " `if_exists` (dstack's default, `error`, always holds here)"));
            }
            // The host clones a remote repo from what repo_data says (the CLI sends it for a `url`); a `url` with
            // other repo data would be dropped.
            if (repo.url() != null && !(spec.repoData() instanceof RunRepoData.Remote)) {
                out.add(new Refusal("repos", "the remote repo " + repo.url() + " is not sent as a remote repo"
                        + " (repo_data of type remote, registered with `dstack init` or the repos API), so the host"
                        + " would have nothing to clone; apply it with the dstack CLI, or submit it with"
                        + " RunRepoData.Remote"));
            }
        }
    }

    /** The repo directory of dstack's container view, which the job's directory plays on a bare host. */
    private static String repoDir(RunBase base, RunSpec spec) {
        if (!base.repos().isEmpty() && base.repos().get(0).path() != null) {
            return base.repos().get(0).path();
        }
        return spec.repoDir();
    }

    private static void profile(ProfileParams p, HostCapabilities hosts, List<Refusal> out) {
        String none = hosts.hasCloud()
                ? "this project's jobs run on the local host, SSH fleet hosts (backend and region `" + HOSTS_BACKEND
                        + "`) and VMs of its backends " + String.join(", ", new TreeSet<>(hosts.cloudBackends())) + ", "
                : "this server places jobs on the local host and SSH fleet hosts only, ";
        if (p.backends() != null) {
            List<String> unknown = p.backends().stream().map(b -> b.wireValue())
                    .filter(b -> !b.equals(HOSTS_BACKEND) && !hosts.cloudBackends().contains(b)).toList();
            if (!unknown.isEmpty()) {
                out.add(new Refusal("backends", none + "and " + String.join(", ", unknown)
                        + (unknown.size() == 1 ? " is" : " are") + " not among them (configure the backend in the"
                        + " project, or remove it from `backends`)"));
            }
        }
        if (p.regions() != null && !p.regions().contains(HOSTS_BACKEND) && !hosts.hasCloud()) {
            out.add(new Refusal("regions", none + "which are all in region `" + HOSTS_BACKEND + "`; add it or"
                    + " remove `regions`"));
        }
        if (p.spotPolicy() == SpotPolicy.SPOT && !hosts.hasCloud()) {
            out.add(new Refusal("spot_policy", none + "none of which is a spot instance; use `on-demand` or `auto`"));
        }
        if (hosts.hasCloud()) {
            refuseIfSet(p, ProfileParams::idleDuration, "idle_duration", "a VM made for a run is terminated when"
                    + " the run ends; keep idle VMs with a cloud fleet's `idle_duration` and `fleets: [its name]`", out);
        } else {
            refuseIfSet(p, ProfileParams::instanceTypes, "instance_types", "jobs are not placed by instance type"
                    + " without a cloud backend; use `resources` or `fleets`", out);
            refuseIfSet(p, ProfileParams::tags, "tags", none + "which take no tags", out);
            refuseIfSet(p, ProfileParams::availabilityZones, "availability_zones", none
                    + "which have no availability zones", out);
            refuseIfSet(p, ProfileParams::reservation, "reservation", none + "which have no reservations", out);
            refuseIfSet(p, ProfileParams::idleDuration, "idle_duration", none + "which it never terminates when idle",
                    out);
        }
        refuseIfSet(p, ProfileParams::startupOrder, "startup_order", "the nodes of a multi-node run start"
                + " together; ordering them is not supported yet", out);
        refuseIfSet(p, ProfileParams::stopCriteria, "stop_criteria", "a multi-node run ends when all its nodes"
                + " are done; other criteria are not supported yet", out);
        refuseIfSet(p, ProfileParams::instances, "instances", "choosing instances by name is not supported yet;"
                + " use `fleets`", out);
        refuseIfSet(p, ProfileParams::backendOptions, "backend_options", none + "which take no backend options", out);
    }

    private static void service(ServiceConfiguration service, List<Refusal> out) {
        if (service.gateway() instanceof ServiceGateway.Named named) {
            out.add(new Refusal("gateway", "gateway " + named.reference().name() + ": this server has no gateways;"
                    + " services are reached through its own proxy"));
        } else if (service.gateway() instanceof ServiceGateway.Flag flag && flag.enabled()) {
            out.add(new Refusal("gateway", "this server has no gateways; services are reached through its own proxy"));
        }
        if (service.https() == ServiceHttps.ON) {
            out.add(new Refusal("https", "HTTPS belongs to a gateway, and this server has none; its proxy serves"
                    + " services over the server's own scheme"));
        }
        if (!service.rateLimits().isEmpty()) {
            out.add(new Refusal("rate_limits", "rate limits are applied by a gateway, and this server has none"));
        }
    }

    private static void refuseIfSet(ProfileParams p, Function<ProfileParams, Object> field, String name, String reason,
            List<Refusal> out) {
        if (field.apply(p) != null) {
            out.add(new Refusal(name, reason));
        }
    }
}
