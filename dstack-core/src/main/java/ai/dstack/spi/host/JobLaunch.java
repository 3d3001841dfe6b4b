package ai.dstack.spi.host;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything a host needs to start a job: its id, the shell commands, their environment and where they run.
 *
 * <pre>{@code
 * JobLaunch launch = JobLaunch.of("6f1c…", List.of("pip install -r requirements.txt", "python train.py"))
 *         .withEnv(Map.of("DSTACK_RUN_NAME", "train", "DSTACK_NODE_RANK", "0"));
 * }</pre>
 *
 * @param jobId names the job on the host (and its directory): letters, digits, {@code . _ -}, not starting with a dot
 * @param commands run one after the other with dstack's rule: joined with {@code &&}, so the first failing command
 *     ends the job with its exit code
 * @param env variables added to the job's environment (dstack's {@code DSTACK_*} variables, secrets, the run's
 *     {@code env}); the host sets {@code DSTACK_WORKING_DIR} itself
 * @param shell the shell that runs the commands; a bare name means {@code /bin/<name>}, as in dstack
 * @param workingDir the job's working directory relative to the job's own work directory on the host; empty for
 *     that directory itself
 * @param image a Docker image to run the commands in, or null to run them on the host directly
 * @param archives unpacked into the job's own work directory (the repo directory of dstack's view; not into
 *     {@code workingDir}), in order, before the commands start, after the repo is checked out
 * @param prefix a command the host runs first, with its own privileges, that ends by executing its arguments (the
 *     job's shell, as the job's own user where the host gives jobs users of their own): e.g. entering a network
 *     namespace; empty for none. Ignored with an image.
 * @param repo a remote Git repo to clone into the job's work directory before the archives are unpacked, or null
 * @param container how the container of a job with an image is set up ({@link ContainerOptions#DEFAULTS} when not
 *     given); unused without an image
 * @param gpus how many of the host's GPUs the job gets (its blocks' share); the host picks which ones and limits the
 *     job to them ({@link GpuDevices})
 * @param mpiHostfile the content of dstack's MPI hostfile (a line per node, {@code <ip> slots=<gpus>}), which the
 *     host writes next to the job and names in {@code DSTACK_MPI_HOSTFILE}; null for none
 */
public record JobLaunch(
        String jobId, List<String> commands, Map<String, String> env, String shell, String workingDir, String image,
        List<JobArchive> archives, List<String> prefix, JobRepoCheckout repo, ContainerOptions container, int gpus,
        String mpiHostfile) {

    public static final String DEFAULT_SHELL = "/bin/bash";

    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public JobLaunch {
        Objects.requireNonNull(jobId, "jobId is null");
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("job id '" + jobId
                    + "' is not usable as a directory name: use letters, digits, '.', '_' or '-' (at most 128), not"
                    + " starting with '.'");
        }
        commands = List.copyOf(Objects.requireNonNull(commands, "commands is null"));
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("job " + jobId + " has no commands to run");
        }
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).isBlank()) {
                throw new IllegalArgumentException("job " + jobId + ": commands[" + i + "] is blank");
            }
        }
        env = Map.copyOf(Objects.requireNonNull(env, "env is null"));
        for (var entry : env.entrySet()) {
            if (!ENV_NAME.matcher(entry.getKey()).matches()) {
                throw new IllegalArgumentException("job " + jobId + ": environment variable name '" + entry.getKey()
                        + "' is not valid (letters, digits and '_', not starting with a digit)");
            }
        }
        shell = resolveShell(jobId, shell);
        workingDir = normalizeWorkingDir(jobId, workingDir);
        if (image != null && image.isBlank()) {
            throw new IllegalArgumentException("job " + jobId + ": image is blank");
        }
        archives = archives == null ? List.of() : List.copyOf(archives);
        prefix = prefix == null ? List.of() : List.copyOf(prefix);
        container = container == null ? ContainerOptions.DEFAULTS : container;
        if (gpus < 0) {
            throw new IllegalArgumentException("job " + jobId + ": gpus < 0: " + gpus);
        }
    }

    /** A launch without an MPI hostfile. */
    public JobLaunch(String jobId, List<String> commands, Map<String, String> env, String shell, String workingDir,
            String image, List<JobArchive> archives, List<String> prefix, JobRepoCheckout repo,
            ContainerOptions container, int gpus) {
        this(jobId, commands, env, shell, workingDir, image, archives, prefix, repo, container, gpus, null);
    }

    /** A launch without a prefix or a repo, with the default container options and no GPUs. */
    public JobLaunch(String jobId, List<String> commands, Map<String, String> env, String shell, String workingDir,
            String image, List<JobArchive> archives) {
        this(jobId, commands, env, shell, workingDir, image, archives, List.of(), null, ContainerOptions.DEFAULTS, 0);
    }

    /** A launch without a repo, with the default container options and no GPUs. */
    public JobLaunch(String jobId, List<String> commands, Map<String, String> env, String shell, String workingDir,
            String image, List<JobArchive> archives, List<String> prefix) {
        this(jobId, commands, env, shell, workingDir, image, archives, prefix, null, ContainerOptions.DEFAULTS, 0);
    }

    /** A launch with the default container options and no GPUs. */
    public JobLaunch(String jobId, List<String> commands, Map<String, String> env, String shell, String workingDir,
            String image, List<JobArchive> archives, List<String> prefix, JobRepoCheckout repo) {
        this(jobId, commands, env, shell, workingDir, image, archives, prefix, repo, ContainerOptions.DEFAULTS, 0);
    }

    /** A launch without archives to unpack. */
    public JobLaunch(String jobId, List<String> commands, Map<String, String> env, String shell, String workingDir,
            String image) {
        this(jobId, commands, env, shell, workingDir, image, List.of());
    }

    /** A launch of {@code commands} with no extra environment, the default shell and no image. */
    public static JobLaunch of(String jobId, List<String> commands) {
        return new JobLaunch(jobId, commands, Map.of(), DEFAULT_SHELL, "", null);
    }

    public JobLaunch withEnv(Map<String, String> newEnv) {
        return new JobLaunch(jobId, commands, newEnv, shell, workingDir, image, archives, prefix, repo, container, gpus,
                mpiHostfile);
    }

    public JobLaunch withShell(String newShell) {
        return new JobLaunch(jobId, commands, env, newShell, workingDir, image, archives, prefix, repo, container, gpus,
                mpiHostfile);
    }

    public JobLaunch withWorkingDir(String newWorkingDir) {
        return new JobLaunch(jobId, commands, env, shell, newWorkingDir, image, archives, prefix, repo, container, gpus,
                mpiHostfile);
    }

    public JobLaunch withImage(String newImage) {
        return new JobLaunch(jobId, commands, env, shell, workingDir, newImage, archives, prefix, repo, container, gpus,
                mpiHostfile);
    }

    public JobLaunch withArchives(List<JobArchive> newArchives) {
        return new JobLaunch(jobId, commands, env, shell, workingDir, image, newArchives, prefix, repo, container, gpus,
                mpiHostfile);
    }

    public JobLaunch withContainer(ContainerOptions newContainer) {
        return new JobLaunch(jobId, commands, env, shell, workingDir, image, archives, prefix, repo, newContainer, gpus,
                mpiHostfile);
    }

    public JobLaunch withGpus(int newGpus) {
        return new JobLaunch(jobId, commands, env, shell, workingDir, image, archives, prefix, repo, container, newGpus,
                mpiHostfile);
    }

    public JobLaunch withPrefix(List<String> newPrefix) {
        return new JobLaunch(jobId, commands, env, shell, workingDir, image, archives, newPrefix, repo, container, gpus,
                mpiHostfile);
    }

    public JobLaunch withMpiHostfile(String newMpiHostfile) {
        return new JobLaunch(jobId, commands, env, shell, workingDir, image, archives, prefix, repo, container, gpus,
                newMpiHostfile);
    }

    public JobLaunch withRepo(JobRepoCheckout newRepo) {
        return new JobLaunch(jobId, commands, env, shell, workingDir, image, archives, prefix, newRepo, container, gpus,
                mpiHostfile);
    }

    public Optional<String> imageName() {
        return Optional.ofNullable(image);
    }

    /** The environment sorted by name, so generated scripts are stable. */
    public Map<String, String> sortedEnv() {
        return new TreeMap<>(env);
    }

    private static String resolveShell(String jobId, String shell) {
        if (shell == null) {
            return DEFAULT_SHELL;
        }
        if (shell.isBlank() || shell.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("job " + jobId + ": shell '" + shell + "' is not a program path");
        }
        return shell.startsWith("/") ? shell : "/bin/" + shell;
    }

    private static String normalizeWorkingDir(String jobId, String workingDir) {
        if (workingDir == null) {
            return "";
        }
        if (workingDir.startsWith("/") || List.of(workingDir.split("/")).contains("..")) {
            throw new IllegalArgumentException("job " + jobId + ": working directory '" + workingDir
                    + "' must be relative to the job's directory and stay inside it");
        }
        String trimmed = workingDir.replaceAll("/+$", "").replaceAll("^(\\./)+", "");
        return trimmed.equals(".") ? "" : trimmed;
    }
}
