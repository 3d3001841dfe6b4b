package ai.dstack.spi.host;

import static ai.dstack.spi.host.ShellJobProtocol.shellQuote;

/**
 * The part of {@value ShellJobProtocol#JOB_SCRIPT} that runs a job in its image with a Docker-compatible CLI
 * ({@code docker} or {@code podman}), as dstack runs job containers: host networking, the job's work directory mounted
 * at the repo directory and used as working directory, the job's variables passed by name (their values, secrets
 * included, never on a command line), {@code --privileged}, {@code --user}, {@code --shm-size}, instance volumes, the
 * job's GPUs, and a registry log-in (password on the CLI's stdin) before the image is pulled.
 */
public final class ContainerScript {
    /** The bash array the script builds the container command in. */
    static final String RUN_ARRAY = "__dstack_run";
    /** In the job's directory while the job's image is being pulled. */
    public static final String PULLING_FILE = "pulling";
    /** The variable in the job script holding the container's working directory (for shells entering the job). */
    public static final String WORKDIR_VARIABLE = "__dstack_container_workdir";

    /**
     * Variables that steer the container CLI itself (where it finds runc, its configuration, its credentials): a job
     * that sets one gets it in its container, passed by value on the command line, never in the CLI's environment.
     */
    public static final java.util.Set<String> CLIENT_VARIABLES = java.util.Set.of("PATH", "HOME", "LD_PRELOAD",
            "LD_LIBRARY_PATH", "TMPDIR", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "CONTAINERS_CONF",
            "CONTAINERS_REGISTRIES_CONF", "CONTAINERS_STORAGE_CONF", "REGISTRY_AUTH_FILE", "CONTAINER_HOST",
            "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH");

    private ContainerScript() {}

    /**
     * The lines that end the job script: they run with the job's variables exported, in the job's working directory on
     * the host, with {@code __dstack_job_dir} holding the job's directory.
     *
     * @param cli the container CLI's path or name; a name containing {@code podman} gets podman's flags
     * @param gpus the job's GPUs on the host (their visibility variables are already in the launch's environment)
     * @param commands the job's joined commands
     */
    static String render(JobLaunch launch, String cli, GpuDevices gpus, String commands) {
        boolean podman = cli.substring(cli.lastIndexOf('/') + 1).contains("podman");
        ContainerOptions options = launch.container();
        String workingDir = options.containerWorkingDir(launch);
        StringBuilder script = new StringBuilder();
        // A per-job credentials store: a log-in is the job's own and goes with its directory.
        script.append(RUN_ARRAY).append("=(").append(shellQuote(cli));
        if (!podman) {
            script.append(" --config \"$__dstack_job_dir/.docker\"");
        }
        script.append(" run --rm --init --name ").append(shellQuote(ShellJobProtocol.containerName(launch.jobId())))
                .append(" --network host");
        if (podman && options.registryLogin() != null) {
            script.append(" --authfile \"$__dstack_job_dir/auth.json\"");
        }
        script.append(" -v \"$__dstack_job_dir/").append(ShellJobProtocol.WORK_DIR).append('"')
                .append(shellQuote(":" + options.repoDir()))
                .append(" -w ").append(shellQuote(workingDir))
                .append(" -e ").append(shellQuote("DSTACK_WORKING_DIR=" + workingDir));
        launch.sortedEnv().forEach((name, value) -> script.append(" -e ").append(CLIENT_VARIABLES.contains(name)
                ? shellQuote(name + "=" + value) : name));
        if (launch.mpiHostfile() != null) {
            script.append(" -v \"$__dstack_job_dir/").append(ShellJobProtocol.MPI_HOSTFILE).append('"')
                    .append(shellQuote(":" + ShellJobProtocol.CONTAINER_MPI_HOSTFILE + ":ro"))
                    .append(" -e ").append(shellQuote("DSTACK_MPI_HOSTFILE=" + ShellJobProtocol.CONTAINER_MPI_HOSTFILE));
        }
        if (options.privileged()) {
            script.append(" --privileged");
        }
        if (options.user() != null) {
            script.append(" --user ").append(shellQuote(options.user()));
        }
        if (options.shmSizeBytes() != null) {
            script.append(" --shm-size ").append(options.shmSizeBytes());
        }
        gpuFlags(script, gpus, podman);
        script.append(")\n");
        for (ContainerOptions.Mount mount : options.mounts()) {
            String host = shellQuote(mount.hostPath());
            String volume = shellQuote(mount.hostPath() + ":" + mount.path());
            if (mount.optional()) {
                // dstack: an optional instance volume whose host path is missing is left out
                script.append("if [ -e ").append(host).append(" ]; then ").append(RUN_ARRAY).append("+=(-v ")
                        .append(volume).append("); fi\n");
            } else {
                script.append("mkdir -p ").append(host).append(" || exit 1\n");
                script.append(RUN_ARRAY).append("+=(-v ").append(volume).append(")\n");
            }
        }
        // For shells opened in the job later (they evaluate every line but the last): where to enter the container.
        script.append(WORKDIR_VARIABLE).append('=').append(shellQuote(workingDir)).append('\n');
        // The last line logs in (if asked) and starts the container: a shell entering the job runs neither.
        if (options.registryLogin() != null) {
            login(script, launch, options.registryLogin(), cli, podman);
        }
        pull(script, launch.image(), cli, podman, options.registryLogin() != null);
        script.append("exec \"${").append(RUN_ARRAY).append("[@]}\" ").append(shellQuote(launch.image())).append(' ')
                .append(shellQuote(launch.shell())).append(" -c ").append(shellQuote(commands)).append('\n');
        return script.toString();
    }

    /**
     * dstack's {@code pulling} step: an image the runtime does not have yet is pulled before the container starts,
     * with {@value #PULLING_FILE} in the job's directory while it lasts (the executor reports the job as pulling; it
     * may create the file before the script starts, which then removes it) and the runtime's progress on the job's
     * standard error. Part of the script's last line.
     */
    private static void pull(StringBuilder script, String image, String cli, boolean podman, boolean login) {
        String quotedCli = shellQuote(cli);
        String quotedImage = shellQuote(image);
        String exists = imagePresent(cli, image);
        String pull = podman ? quotedCli + " pull" + (login ? " --authfile \"$__dstack_job_dir/auth.json\"" : "")
                : quotedCli + " --config \"$__dstack_job_dir/.docker\" pull";
        script.append("if ! ").append(exists).append("; then : >\"$__dstack_job_dir/").append(PULLING_FILE)
                .append("\"; ").append(pull).append(' ').append(quotedImage).append(" >&2 || { rm -f \"$__dstack_job_dir/")
                .append(PULLING_FILE).append("\"; echo ").append(shellQuote("image: cannot pull " + image
                        + " (see the message above)")).append(" >&2; exit 1; }; rm -f \"$__dstack_job_dir/")
                .append(PULLING_FILE).append("\"; fi; rm -f \"$__dstack_job_dir/").append(PULLING_FILE).append("\"; ");
    }

    /**
     * A shell command that succeeds when the runtime has the image locally (with {@code __dstack_job_dir} set to the
     * job's directory, which holds a Docker CLI's per-job configuration).
     */
    public static String imagePresent(String cli, String image) {
        boolean podman = cli.substring(cli.lastIndexOf('/') + 1).contains("podman");
        return podman ? shellQuote(cli) + " image exists " + shellQuote(image)
                : shellQuote(cli) + " --config \"$__dstack_job_dir/.docker\" image inspect " + shellQuote(image)
                        + " >/dev/null 2>&1";
    }

    private static void gpuFlags(StringBuilder script, GpuDevices gpus, boolean podman) {
        if (gpus.isEmpty()) {
            return;
        }
        if (gpus.amd()) {
            // As dstack's shim: the ROCm devices, the video group, no seccomp filter; ROCR_VISIBLE_DEVICES picks.
            script.append(" --device /dev/kfd --device /dev/dri --group-add video --security-opt seccomp=unconfined");
        } else if (podman) {
            gpus.indexes().forEach(index -> script.append(" --device nvidia.com/gpu=").append(index)); // CDI names
        } else {
            StringBuilder list = new StringBuilder();
            gpus.indexes().forEach(index -> list.append(list.length() == 0 ? "" : ",").append(index));
            script.append(" --gpus ").append(shellQuote("\"device=" + list + "\""));
        }
    }

    /**
     * The password goes base64-encoded (one line, whatever it holds) through printf, a builtin, and base64 to the
     * CLI's stdin: no argv holds it. All on the script's last line, which ends with the container's start.
     */
    private static void login(StringBuilder script, JobLaunch launch, ContainerOptions.RegistryLogin login, String cli,
            boolean podman) {
        String registry = registryOf(launch.image());
        String encoded = java.util.Base64.getEncoder().encodeToString(
                login.password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        script.append("printf '%s' ").append(shellQuote(encoded)).append(" | base64 -d | ").append(shellQuote(cli));
        script.append(podman ? " login --authfile \"$__dstack_job_dir/auth.json\""
                : " --config \"$__dstack_job_dir/.docker\" login");
        script.append(" --username ").append(shellQuote(login.username())).append(" --password-stdin ")
                .append(shellQuote(registry)).append(" >/dev/null || { echo ")
                .append(shellQuote("registry_auth: cannot log in to " + registry + " as " + login.username()
                        + " (see the message above)"))
                .append(" >&2; exit 1; }; ");
    }

    /** The registry an image reference names: its first component when that is a host, else Docker Hub. */
    public static String registryOf(String image) {
        int slash = image.indexOf('/');
        if (slash > 0) {
            String first = image.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return first;
            }
        }
        return "docker.io";
    }
}
