package ai.dstack.core.internal.placement;

import ai.dstack.api.configuration.InstanceMountPoint;
import ai.dstack.api.configuration.MountPoint;
import ai.dstack.api.configuration.RegistryAuth;
import ai.dstack.api.configuration.RunBase;
import ai.dstack.api.run.FileArchiveMapping;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.context.UploadedBlobs;
import ai.dstack.core.internal.runs.BareHostPaths;
import ai.dstack.core.internal.runs.DstackImageJobs;
import ai.dstack.core.internal.runs.JobSpecSecrets;
import ai.dstack.core.internal.services.ServiceNetwork;
import ai.dstack.spi.host.ContainerOptions;
import ai.dstack.spi.host.JobArchive;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.JobRepoCheckout;
import ai.dstack.spi.storage.RepoRow;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RunRepoData;
import ai.dstack.core.internal.operations.Repos;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.SecretRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a job into a host launch: its commands, dstack's job environment ({@code DSTACK_RUN_NAME},
 * {@code DSTACK_NODE_RANK}, ...), the configuration's env with secrets interpolated at the last moment (so no
 * secret is ever stored in a job spec), and the image when the configuration names one.
 */
public final class JobLauncher {
    private final EngineContext context;
    /** Puts service replicas in their own network namespaces where the host can. */
    private final ServiceNetwork network;
    private final UploadedBlobs uploads;
    private final HostRouter router;
    /** Attaches and mounts network volumes on cloud VMs; null when the engine has none. */
    private final ai.dstack.core.internal.cloud.VolumeAttachments volumes;

    public JobLauncher(EngineContext context, ServiceNetwork network, UploadedBlobs uploads, HostRouter router) {
        this(context, network, uploads, router, null);
    }

    public JobLauncher(EngineContext context, ServiceNetwork network, UploadedBlobs uploads, HostRouter router,
            ai.dstack.core.internal.cloud.VolumeAttachments volumes) {
        this.context = context;
        this.network = network;
        this.uploads = uploads;
        this.router = router;
        this.volumes = volumes;
    }

    /** Unmounts and detaches the network volumes the job's run mounted (the job ended). */
    public void detachVolumes(JobRow job) {
        if (volumes != null) {
            volumes.detach(job);
        }
    }

    /**
     * Starts the job with the specs its step already read.
     *
     * @param placedOn where the job was just placed; null for a job placed before (started again after a restart),
     *     whose host is then found from its row
     * @param cluster the nodes of a multi-node job's replica; null for a single-node job (its own host is the master)
     */
    public void start(JobRow job, JobSpec jobSpec, RunRow run, RunSpec runSpec, Placement.Option placedOn,
            ClusterInfo cluster, JobHandle handle) {
        // The project's secrets are read only when the job refers to one (most jobs do not).
        Map<String, String> secrets = JobSpecSecrets.refersToSecrets(jobSpec) ? secrets(job) : Map.of();
        JobSpec spec = JobSpecSecrets.resolve(jobSpec, secrets);
        RunBase base = runSpec.configuration().base();
        // python/nvcc/docker without an image: dstack's base or DinD image, which the job spec names.
        String image = base.image() != null ? base.image()
                : DstackImageJobs.runsInDstackImage(base) ? spec.imageName() : null;
        List<ai.dstack.core.internal.cloud.VolumeAttachments.Mounted> mounted = volumes == null
                || ai.dstack.core.internal.runs.RunVolumes.mounts(runSpec).isEmpty() ? List.of()
                : volumes.attach(job, runSpec, placedOn != null ? placedOn.instanceId() : job.instanceId(),
                        placedOn != null ? placedOn.remote() : null);
        String script = DstackImageJobs.pythonPrelude(base, spec.imageName(),
                context.jobDefaults.defaultPython().wireValue()) + script(spec.commands());
        // Only the engine's own host gives replicas network namespaces: another host's are reached through a tunnel.
        boolean onThisHost = placedOn != null ? placedOn.remote() == null : router.isLocal(job.id().toString());
        List<String> prefix = spec.servicePort() != null && image == null && onThisHost
                ? network.prefix(job.id(), spec.servicePort()) : List.of();
        if (spec.servicePort() != null && image != null) {
            network.useHostNetwork(job.id()); // a container on the host's network, as dstack runs them
        }
        BareHostPaths paths = new BareHostPaths(spec.repoDir());
        int gpus = gpus(job, placedOn);
        ContainerOptions container = image == null ? null
                : container(spec, runSpec.configuration().base(), paths, mounted);
        if (image == null && !mounted.isEmpty()) {
            script = links(mounted, paths, spec.workingDir()) + script;
        }
        // In a container the working directory may be anywhere; the launch's relative one is then unused.
        String workingDir = container != null && container.workingDir() != null ? ""
                : inJobDirectory(paths, spec.workingDir(), "working_dir");
        ClusterInfo nodes = nodes(spec, gpus,
                cluster != null ? cluster : new ClusterInfo(List.of(addressOf(provisioning(job, placedOn))), List.of(gpus)));
        Map<String, String> env = environment(job, run, spec, gpus, nodes);
        if (container != null && spec.homeDir() != null && !RunBase.DEFAULT_HOME_DIR.equals(spec.homeDir())) {
            env.putIfAbsent("HOME", spec.homeDir()); // dstack's home_dir: the job user's home in the container
        }
        List<String> copies = new ArrayList<>();
        List<JobArchive> archives = archives(job, runSpec, paths, run.userId(), container, copies);
        if (!copies.isEmpty()) {
            script = String.join("\n", copies) + "\n" + script;
        }
        JobLaunch launch = new JobLaunch(handle.jobId(), List.of(script), env, shell(spec.commands()), workingDir,
                image, archives, prefix, checkout(job, run, runSpec, spec, paths), container, gpus,
                nodes.mpiHostfile());
        if (placedOn != null) {
            router.startOn(placedOn.remote(), launch);
        } else {
            context.host.start(launch);
        }
    }

    /** dstack's job container: the repo directory mounted, its working dir, user, privileges, shm and volumes. */
    private static ContainerOptions container(JobSpec spec, RunBase base, BareHostPaths paths,
            List<ai.dstack.core.internal.cloud.VolumeAttachments.Mounted> mounted) {
        String repoDir = paths.repoDir().startsWith("/") ? paths.repoDir() : ContainerOptions.DEFAULT_REPO_DIR;
        String workingDir = spec.workingDir() == null ? null
                : paths.inJobDirectory(spec.workingDir()).isPresent() ? null
                : spec.workingDir().startsWith("/") ? spec.workingDir() : null;
        Double shm = base.resources().shmSize();
        List<ContainerOptions.Mount> mounts = new ArrayList<>();
        for (MountPoint volume : base.volumes()) {
            if (volume instanceof InstanceMountPoint instance) {
                mounts.add(new ContainerOptions.Mount(instance.instancePath(), instance.path(), instance.optional()));
            }
        }
        for (ai.dstack.core.internal.cloud.VolumeAttachments.Mounted volume : mounted) {
            mounts.add(new ContainerOptions.Mount(volume.hostDir(), volume.path(), false));
        }
        RegistryAuth auth = spec.registryAuth();
        return new ContainerOptions(repoDir, workingDir, base.user(), spec.privileged(),
                shm == null ? null : (long) (shm * 1024 * 1024 * 1024), mounts,
                auth == null || auth.username() == null || auth.password() == null ? null
                        : new ContainerOptions.RegistryLogin(auth.username(), auth.password()));
    }

    /**
     * On a bare host a network volume appears at its path inside the job's directory (the repo directory of dstack's
     * view): a link to where the host mounted it, made before the job's commands.
     */
    private static String links(List<ai.dstack.core.internal.cloud.VolumeAttachments.Mounted> mounted,
            BareHostPaths paths, String workingDir) {
        String wd = paths.inJobDirectory(workingDir).orElse("");
        StringBuilder out = new StringBuilder("__dstack_job_dir=\"$DSTACK_WORKING_DIR\"\n");
        if (!wd.isEmpty()) {
            out.append("__dstack_job_dir=\"${__dstack_job_dir%/").append(wd).append("}\"\n");
        }
        for (ai.dstack.core.internal.cloud.VolumeAttachments.Mounted volume : mounted) {
            String relative = paths.inJobDirectory(volume.path()).filter(r -> !r.isEmpty()).orElseThrow(() ->
                    new IllegalArgumentException("volumes: network volume " + volume.name() + " cannot appear at "
                            + volume.path() + " on a host without a container; use a path under the repo directory "
                            + paths.repoDir()));
            String target = "\"$__dstack_job_dir\"/" + quote(relative);
            out.append("mkdir -p \"$(dirname ").append(target).append(")\" && ln -sfn ")
                    .append(quote(volume.hostDir())).append(" ").append(target).append("\n");
        }
        return out.toString();
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The GPUs of the job's blocks: the share of the host's GPUs in the job's provisioning data. */
    private static int gpus(JobRow job, Placement.Option placedOn) {
        return gpusOf(provisioning(job, placedOn));
    }

    private static JobProvisioningData provisioning(JobRow job, Placement.Option placedOn) {
        return placedOn != null && placedOn.provisioningData() != null
                ? placedOn.provisioningData()
                : job.jobProvisioningData() == null ? null : Json.read(job.jobProvisioningData(), JobProvisioningData.class);
    }

    /** The GPUs of a job's share of its host, from its provisioning data (null: none). */
    public static int gpusOf(JobProvisioningData provisioning) {
        if (provisioning == null) {
            return 0;
        }
        return provisioning.instanceType() == null || provisioning.instanceType().resources() == null
                || provisioning.instanceType().resources().gpus() == null
                ? 0 : provisioning.instanceType().resources().gpus().size();
    }

    /**
     * The address other nodes reach the job's host by, as dstack's runner takes it: the host's internal IP, else its
     * hostname; the engine's own host is {@value ClusterInfo#LOCAL_IP}.
     */
    public static String addressOf(JobProvisioningData provisioning) {
        if (provisioning == null) {
            return ClusterInfo.LOCAL_IP;
        }
        return provisioning.internalIp() != null ? provisioning.internalIp()
                : provisioning.hostname() != null ? provisioning.hostname() : ClusterInfo.LOCAL_IP;
    }

    /**
     * A remote repo is cloned on the host, as dstack's runner does: at the branch and commit the CLI sent, with the
     * credentials the run's user gave ({@code dstack init}), and the uploaded diff of uncommitted changes applied.
     */
    private JobRepoCheckout checkout(JobRow job, RunRow run, RunSpec runSpec, JobSpec spec, BareHostPaths paths) {
        if (!(runSpec.repoData() instanceof RunRepoData.Remote remote)) {
            return null;
        }
        String repoId = runSpec.repoId();
        RepoRow repo = context.store.inReadOnlyTransaction(tx -> tx.repos().find(run.projectId(), repoId))
                .orElseThrow(() -> new IllegalArgumentException("the remote repo " + repoId + " is not known to the"
                        + " project any more; run `dstack init` in its clone and apply again"));
        RemoteRepoCreds creds = Repos.credsOf(repo, run.userId()).orElseThrow(() -> new IllegalArgumentException(
                "the run's user has no credentials for the remote repo " + remote.repoName() + " (" + repoId
                        + "); run `dstack init` in its clone and apply again"));
        byte[] diff = runSpec.repoCodeHash() == null ? new byte[0]
                : uploads.code(job.projectId(), repoId, runSpec.repoCodeHash())
                        .orElseThrow(() -> new IllegalArgumentException("the diff of repo " + repoId + " (hash "
                                + runSpec.repoCodeHash() + ") was never uploaded"));
        return new JobRepoCheckout(inJobDirectory(paths, paths.repoDir(), "repos[].path"), creds.cloneUrl(),
                remote.repoBranch(), remote.repoHash(), creds.oauthToken(), creds.privateKey(), diff,
                remote.repoConfigName(), remote.repoConfigEmail(), Boolean.TRUE.equals(spec.singleBranch()));
    }

    /**
     * What the runner puts in the working directory after a remote repo's clone: the repo's uploaded code (local and
     * virtual repos; a remote repo's uploaded code is the diff its checkout applies), then each {@code files:} archive.
     */
    private List<JobArchive> archives(JobRow job, RunSpec runSpec, BareHostPaths paths, UUID userId,
            ContainerOptions container, List<String> copies) {
        List<JobArchive> archives = new ArrayList<>();
        String repoType = runSpec.repoData() == null ? "virtual" : runSpec.repoData().repoType();
        if (runSpec.repoCodeHash() != null && !"remote".equals(repoType)) {
            String repoId = runSpec.repoId() == null ? "none" : runSpec.repoId();
            byte[] code = uploads.code(job.projectId(), repoId, runSpec.repoCodeHash())
                    .orElseThrow(() -> new IllegalArgumentException("the code of repo " + repoId + " (hash "
                            + runSpec.repoCodeHash() + ") was never uploaded"));
            archives.add(new JobArchive(inJobDirectory(paths, paths.repoDir(), "repos[].path"), code, false));
        }
        for (FileArchiveMapping mapping : runSpec.fileArchives()) {
            byte[] tar = uploads.archive(mapping.id(), userId).orElseThrow(() -> new IllegalArgumentException(
                    "files: the archive " + mapping.id() + " for '" + mapping.path() + "' was never uploaded by the"
                            + " run's user"));
            if (container != null && paths.inJobDirectory(mapping.path()).isEmpty()) {
                // In a container a target outside the repo directory is reached by copying: the archive is staged
                // in the job's directory and the container's first commands move it into place.
                String name = mapping.path().replaceAll("/+$", "");
                name = name.substring(name.lastIndexOf('/') + 1);
                String stage = FILES_STAGE + "/" + archives.size() + "/" + name;
                archives.add(new JobArchive(stage, tar, true));
                copies.add(copyIntoPlace(container.repoDir() + "/" + stage, mapping.path()));
                continue;
            }
            archives.add(new JobArchive(inJobDirectory(paths, mapping.path(), "files"), tar, true));
        }
        return archives;
    }

    /** Where {@code files:} bound outside the repo directory wait, in a container job's directory, to be copied. */
    static final String FILES_STAGE = ".dstack-files";

    /** Shell lines that move a staged file or directory to its absolute target, then drop the stage. */
    private static String copyIntoPlace(String staged, String target) {
        String from = DstackImageJobs.quote(staged);
        String to = DstackImageJobs.quote(target.replaceAll("/+$", ""));
        String stageRoot = DstackImageJobs.quote(staged.substring(0, staged.indexOf("/" + FILES_STAGE + "/") + FILES_STAGE.length() + 1));
        return "{ mkdir -p \"$(dirname " + to + ")\" && rm -rf " + to + " && cp -a " + from + " " + to + " && rm -rf "
                + from + " && { rmdir \"$(dirname " + from + ")\" " + stageRoot + " 2>/dev/null || true; }; } || { echo "
                + DstackImageJobs.quote("files: cannot copy " + target + " into place in the container") + " >&2; exit 1; }";
    }

    /**
     * Jobs run on the host itself, in their own directory, which stands for dstack's repo directory. Plan and apply
     * refuse paths outside it ({@code JobFieldSupport}); this is the last guard for runs submitted before that.
     */
    private static String inJobDirectory(BareHostPaths paths, String path, String field) {
        return paths.inJobDirectory(path).orElseThrow(() -> new IllegalArgumentException(field + ": '" + path
                + "' is outside the job's directory (the repo directory " + paths.repoDir() + "); jobs on this host"
                + " run without a container, so use a path relative to it or under it"));
    }

    private Map<String, String> secrets(JobRow job) {
        Map<String, String> secrets = new LinkedHashMap<>();
        context.store.inReadOnlyTransaction(tx -> tx.secrets().list(job.projectId()))
                .forEach((SecretRow secret) -> secrets.put(secret.name(), secret.value()));
        return secrets;
    }

    /** dstack's argv is {@code [shell, "-i", "-c", script]}; anything else (an entrypoint) is quoted into one line. */
    static String script(List<String> argv) {
        int c = argv.indexOf("-c");
        if (c >= 0 && c == argv.size() - 2) {
            return argv.get(argv.size() - 1);
        }
        StringBuilder line = new StringBuilder();
        for (String arg : argv) {
            line.append(line.length() == 0 ? "" : " ").append("'").append(arg.replace("'", "'\\''")).append("'");
        }
        return line.toString();
    }

    static String shell(List<String> argv) {
        int c = argv.indexOf("-c");
        return c >= 0 && c == argv.size() - 2 && !argv.isEmpty() ? argv.get(0) : "/bin/sh";
    }

    /** The replica's nodes; a multi-node job on the engine's own host has this host for every node. */
    private static ClusterInfo nodes(JobSpec spec, int gpus, ClusterInfo cluster) {
        int nodes = spec.jobsPerReplica() == null ? 1 : spec.jobsPerReplica();
        return cluster.nodeIps().size() == nodes ? cluster
                : new ClusterInfo(java.util.Collections.nCopies(nodes, cluster.masterIp()),
                        java.util.Collections.nCopies(nodes, gpus));
    }

    /**
     * Lowest first: dstack's job variables ({@code DSTACK_GPUS_PER_NODE} the GPUs the job holds, which the host names
     * in {@code CUDA_VISIBLE_DEVICES} or the like), then the job spec's env (which already holds the configuration's).
     */
    private static Map<String, String> environment(JobRow job, RunRow run, JobSpec spec, int gpus, ClusterInfo cluster) {
        Map<String, String> env = new LinkedHashMap<>();
        int nodes = cluster.nodeIps().size();
        env.put("DSTACK_RUN_ID", run.id().toString());
        env.put("DSTACK_RUN_NAME", run.runName());
        env.put("DSTACK_JOB_ID", job.id().toString());
        env.put("DSTACK_REPO_ID", run.repoId() == null ? "none" : run.repoId().toString());
        env.put("DSTACK_NODE_RANK", Integer.toString(job.jobNum()));
        env.put("DSTACK_NODES_NUM", Integer.toString(nodes));
        env.put("DSTACK_MASTER_NODE_IP", cluster.masterIp());
        env.put("DSTACK_NODES_IPS", String.join("\n", cluster.nodeIps()));
        env.put("DSTACK_GPUS_PER_NODE", Integer.toString(gpus));
        env.put("DSTACK_GPUS_NUM", Integer.toString(cluster.gpusNum()));
        if (spec.env() != null) {
            env.putAll(spec.env());
        }
        return env;
    }
}
