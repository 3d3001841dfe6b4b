package ai.dstack.core.internal.host;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.GpuDevices;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobArchive;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.LogChunk;
import ai.dstack.spi.host.ShellJobProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs on this machine with the {@link ShellJobProtocol}: each job is a directory {@code <root>/<job id>/} and a
 * process tree in a session of its own, so it survives the JVM (even {@code kill -9}). A new instance on the same root
 * finds running jobs running and finished ones with their exit codes and logs.
 *
 * <p>Jobs are started and signalled through one long-lived perl process ({@link JobSpawner}), a few milliseconds
 * each; on a host without perl, through a script run per start and per signal, which costs tens of milliseconds.
 *
 * <p>A job's environment is built from scratch, never inherited from the server: a sane {@code PATH} and locale
 * ({@link #defaultBaseEnvironment()}), {@code HOME} set to the job's own {@code home/} directory, then the launch's
 * variables (dstack's, the configuration's {@code env}, its secrets). Where this process is root, each job also runs
 * as a user id of its own ({@link JobUsers}): its working directory and home are its own, the job directory around
 * them and everything else of the server's are not readable to it.
 */
public final class LocalHostExecutor implements HostExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(LocalHostExecutor.class);
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** The job's {@code HOME}, beside its working directory. */
    public static final String HOME_DIR = "home";
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(30);
    /** A clone of a large repo takes a while; the job waits in provisioning meanwhile. */
    private static final Duration REPO_CHECKOUT_TIMEOUT = Duration.ofMinutes(10);
    private static final String REPO_CHECKOUT_SCRIPT = "repo-checkout.sh";
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_READ_BYTES = 256 * 1024;
    private static final String LOG_READER_LOCK = ".log-reader.lock";
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** Log-reader claims held in this JVM: file locks are per process, so engines of one JVM arbitrate here. */
    private static final Map<Path, FileLock> LOG_READERS = new java.util.HashMap<>();

    private final Path root;
    private final Set<Path> ownLogReaders = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ProcessRunner runner;
    private final ExitWatcher watcher;
    private final JobSpawner spawner;
    /** The runtime that {@link #containers} detection looks for: podman, docker, none, or null to detect. */
    private final String containerRuntimeChoice;
    private volatile ContainerRuntime.Detection containers;
    private final GpuAllocator gpus;
    /** Present where jobs get user ids of their own (this process is root). */
    private final Optional<JobUsers> users;

    /** Jobs under {@code root} (created if missing), with {@link #defaultBaseEnvironment()}. */
    public LocalHostExecutor(Path root) {
        this(root, defaultBaseEnvironment());
    }

    /** Jobs under {@code root}; where this process is root, each job runs as a user id of its own. */
    public LocalHostExecutor(Path root, Map<String, String> baseEnvironment) {
        this(root, baseEnvironment, true);
    }

    /**
     * @param root the directory that holds the jobs' directories (the server's {@code jobs/} directory)
     * @param baseEnvironment the environment of the jobs (and of the protocol's scripts) before the launch's own
     *     variables; it must have a {@code PATH} where bash, setsid, mkfifo and pkill are found
     */
    public LocalHostExecutor(Path root, Map<String, String> baseEnvironment, boolean separateUsers) {
        this(root, baseEnvironment, separateUsers, null);
    }

    /**
     * Jobs under {@code root}; where this process is root, each job without an image runs as a user id of its own.
     *
     * @param containerRuntime the runtime for jobs with an image: {@code podman}, {@code docker}, {@code none}, or
     *     null to use podman or docker, whichever engine answers first (see {@link ContainerRuntime})
     * @throws IllegalArgumentException when {@code containerRuntime} names no runtime
     */
    public LocalHostExecutor(Path root, Map<String, String> baseEnvironment, String containerRuntime) {
        this(root, baseEnvironment, true, containerRuntime);
    }

    public LocalHostExecutor(Path root, Map<String, String> baseEnvironment, boolean separateUsers,
            String containerRuntime) {
        if (containerRuntime != null && !containerRuntime.isBlank()
                && !List.of("podman", "docker", "none").contains(containerRuntime.strip().toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException(ContainerRuntime.SETTING + "='" + containerRuntime
                    + "' is not a container runtime: use podman, docker or none (unset: detect)");
        }
        this.containerRuntimeChoice = containerRuntime;
        this.root = root.toAbsolutePath().normalize();
        this.runner = new ProcessRunner(baseEnvironment);
        this.users = separateUsers ? JobUsers.forThisHost(runner) : Optional.empty();
        try {
            Files.createDirectories(this.root.resolve(ShellJobProtocol.EXITED_DIR));
            if (users.isPresent()) {
                JobUsers.traverseOnly(this.root);
                warnIfUnreachable(this.root);
            }
        } catch (IOException e) {
            throw new HostExecutionException(ErrorCode.ERROR,
                    "cannot create the jobs directory " + this.root + ": " + e, e);
        }
        this.watcher = new ExitWatcher(this.root.resolve(ShellJobProtocol.EXITED_DIR), this::status);
        this.spawner = new JobSpawner(this.root, runner);
        this.gpus = new GpuAllocator(this.root,
                () -> new LocalResourceDetector(this.root, runner.environment()).gpus(), this::status);
    }

    /** The container runtime of this host's jobs with an image, or why there is none (detected once, on first use). */
    public ContainerRuntime.Detection containers() {
        ContainerRuntime.Detection found = containers;
        if (found == null) {
            found = ContainerRuntime.detect(containerRuntimeChoice, runner);
            LOG.info("Container runtime for jobs with an image on this host: {}", found.describe());
            containers = found;
        }
        return found;
    }

    @Override
    public Optional<String> containerRuntime() {
        return containers().runtime().map(ContainerRuntime::name);
    }

    /**
     * A sane {@code PATH} and {@code LANG}; nothing of the server's own environment (its {@code HOME} leads to the
     * admin's token in {@code ~/.dstack/config.yml}; its other variables may hold credentials).
     */
    public static Map<String, String> defaultBaseEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", DEFAULT_PATH);
        environment.put("LANG", "C.UTF-8");
        return environment;
    }

    /** Whether jobs run as user ids of their own here. */
    public boolean separatesUsers() {
        return users.isPresent();
    }

    /** A job walks to its files by absolute path ($DSTACK_WORKING_DIR, $HOME) only if every parent lets it. */
    private static void warnIfUnreachable(Path dir) {
        for (Path parent = dir.getParent(); parent != null; parent = parent.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(parent).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    LOG.warn("Jobs run as users of their own, and {} is not searchable by others: jobs reach their"
                            + " working directory and HOME only relatively. Give it o+x, or put the server directory"
                            + " elsewhere", parent);
                    return;
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    public Path root() {
        return root;
    }

    /**
     * Where to keep the jobs of the server's jobs directory {@code declared}: itself, or where jobs run as users of
     * their own (this process is root), a directory every parent of which they can walk through, with
     * {@code declared} a symbolic link to it (see {@link JobUsers}).
     */
    public static Path placeJobs(Path declared) {
        Path absolute = declared.toAbsolutePath().normalize();
        try {
            return JobUsers.place(absolute);
        } catch (IOException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot create the jobs directory for " + absolute
                    + ": " + e.getMessage(), e);
        }
    }

    /** The job's directory; its {@code workdir/} is the job's working directory. */
    public Path jobDirectory(JobHandle job) {
        return root.resolve(job.jobId());
    }

    @Override
    public JobHandle start(JobLaunch launch) {
        if (launch.image() != null && containers().runtime().isEmpty()) {
            throw new HostExecutionException(ErrorCode.INVALID_REQUEST, "image " + launch.image()
                    + " needs a container runtime (Docker or Podman); none is available on this host ("
                    + containers().problem() + ")");
        }
        JobHandle job = new JobHandle(launch.jobId());
        Path dir = jobDirectory(job);
        try {
            createJobDirectory(dir, launch.jobId());
            if (launch.repo() != null) {
                checkOut(dir, launch);
            }
            writeJobFiles(dir, launch);
        } catch (IOException | UncheckedIOException e) {
            throw new HostExecutionException(ErrorCode.ERROR,
                    "cannot prepare job " + launch.jobId() + " in " + dir + ": " + e, e);
        }
        String pid = spawner.start(launch.jobId(), dir).orElseGet(() -> startWithLauncher(launch.jobId(), dir));
        LOG.debug("Started job {} (pid file: {})", launch.jobId(), pid);
        return job;
    }

    /**
     * Clones the launch's remote repo into the job's work directory. The script holds the credentials, so it goes
     * to bash as a file in the owner-only job directory (never on a command line) and is removed right after.
     */
    private void checkOut(Path dir, JobLaunch launch) throws IOException {
        Path script = dir.resolve(REPO_CHECKOUT_SCRIPT);
        Files.writeString(script, launch.repo().script());
        ProcessRunner.Result result;
        try {
            result = runner.bash("cd \"$1\" && bash ./" + REPO_CHECKOUT_SCRIPT, "dstack-repo-checkout",
                    List.of(dir.toString()), REPO_CHECKOUT_TIMEOUT);
        } finally {
            Files.deleteIfExists(script);
        }
        if (!result.succeeded()) {
            String reason = result.timedOut()
                    ? "the clone did not finish within " + REPO_CHECKOUT_TIMEOUT.toMinutes() + " min"
                    : result.diagnostic();
            throw new HostExecutionException(ErrorCode.ERROR, "job " + launch.jobId() + ": cannot check out the repo"
                    + " on this host: " + reason);
        }
    }

    private String startWithLauncher(String jobId, Path dir) {
        ProcessRunner.Result launched;
        try {
            Files.writeString(dir.resolve(ShellJobProtocol.WRAPPER_SCRIPT), ShellJobProtocol.wrapperScript());
            launched = runner.bash(ShellJobProtocol.launcherScript(), "dstack-job-launcher", List.of(dir.toString()),
                    LAUNCH_TIMEOUT);
        } catch (IOException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot launch job " + jobId + " in " + dir + ": " + e, e);
        }
        if (!launched.succeeded()) {
            String reason = launched.timedOut()
                    ? "the launcher did not answer within " + LAUNCH_TIMEOUT.toSeconds() + " s"
                    : launched.diagnostic();
            throw new HostExecutionException(ErrorCode.ERROR, "job " + jobId + " could not start on this host: " + reason);
        }
        return launched.stdout().strip();
    }

    private static void createJobDirectory(Path dir, String jobId) throws IOException {
        try {
            // Owner only: job.sh holds the job's environment, secrets included.
            Files.createDirectory(dir, OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            if (Files.exists(dir.resolve(ShellJobProtocol.PID_FILE)) || Files.exists(dir.resolve(ShellJobProtocol.EXIT_FILE))) {
                throw new HostExecutionException(ErrorCode.RESOURCE_EXISTS,
                        "job " + jobId + " already exists on this host (" + dir + ")");
            }
            // A start cut short (the engine died while preparing it): nothing ran, so prepare it again.
            deleteTree(dir);
            Files.createDirectory(dir, OWNER_ONLY);
        }
    }

    private void writeJobFiles(Path dir, JobLaunch launch) throws IOException {
        Path jobWorkDir = dir.resolve(ShellJobProtocol.WORK_DIR);
        Files.createDirectories(jobWorkDir);
        for (JobArchive archive : launch.archives()) {
            JobArchives.unpack(jobWorkDir, archive, launch.jobId());
        }
        Files.createDirectories(jobWorkDir.resolve(launch.workingDir()));
        Path home = Files.createDirectories(dir.resolve(HOME_DIR));
        List<String> runAs = List.of();
        if (users.isPresent() && launch.image() == null) {
            long uid = users.get().allocate();
            for (Path own : List.of(dir.resolve(ShellJobProtocol.WORK_DIR), home)) {
                JobUsers.chownTree(own, uid);
                Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
            }
            JobUsers.traverseOnly(dir); // the job reaches its own directories; it lists and reads nothing else here
            runAs = users.get().runAs(uid);
            if (launch.mpiHostfile() == null) {
                // The supervisor switches to the job's user itself: one exec (setpriv's) less per job. Not with an
                // MPI hostfile, which job.sh writes into the job's directory, root's.
                Files.createFile(dir.resolve(ShellJobProtocol.RUN_AS_FILE), OWNER_ONLY_FILE);
                Files.writeString(dir.resolve(ShellJobProtocol.RUN_AS_FILE), uid + "\n");
            }
        }
        GpuDevices devices = gpus.allocate(launch.jobId(), dir, launch.gpus());
        boolean inContainer = launch.image() != null;
        Map<String, String> env = new LinkedHashMap<>(devices.environment(inContainer));
        env.putAll(launch.env()); // the configuration's env may say otherwise
        String cli = inContainer ? containers().runtime().orElseThrow().cli().toString() : "docker";
        Path script = dir.resolve(ShellJobProtocol.JOB_SCRIPT);
        Files.createFile(script, OWNER_ONLY_FILE); // the job's secrets: for the supervisor's eyes only
        Files.writeString(script, ShellJobProtocol.jobScript(withOwnEnvironment(launch.withEnv(env), dir, home), runAs,
                cli, devices));
        if (inContainer) {
            // The container's name and the CLI that runs it, for signals and the supervisor's clean-up.
            Files.writeString(dir.resolve(ShellJobProtocol.CONTAINER_FILE),
                    ShellJobProtocol.containerName(launch.jobId()) + "\n" + cli + "\n");
            if (!imagePresent(cli, launch.image())) {
                // Pulling from the start, so the engine sees it at once; the script removes it once the image is in.
                Files.writeString(dir.resolve(ai.dstack.spi.host.ContainerScript.PULLING_FILE), "");
            }
        }
    }

    /**
     * The job's {@code HOME} is its own directory (in a container, the image's), under the launch's variables: the
     * configuration may set another.
     */
    private JobLaunch withOwnEnvironment(JobLaunch launch, Path dir, Path home) {
        if (launch.image() != null) {
            return launch;
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        if (users.isPresent()) {
            env.put("USER", "dstack-job");
            env.put("LOGNAME", "dstack-job");
        }
        env.putAll(launch.env());
        return launch.withEnv(env);
    }

    @Override
    public HostJobState status(JobHandle job) {
        Path dir = jobDirectory(job);
        if (!Files.isDirectory(dir)) {
            return new HostJobState.Lost("there is no job " + job.jobId() + " on this host (no directory " + dir + ")");
        }
        Optional<HostJobState.Exited> exited = readExit(dir);
        if (exited.isPresent()) {
            return exited.get();
        }
        // The wrapper writes the pid file with one write(2); a line without its newline is a start cut short.
        Optional<String> pidFile = readOptional(dir.resolve(ShellJobProtocol.PID_FILE)).filter(s -> s.endsWith("\n"));
        if (pidFile.isEmpty()) {
            return new HostJobState.Lost("job " + job.jobId() + " never started" + wrapperOutput(dir));
        }
        ShellJobProtocol.PidRecord pid = ShellJobProtocol.parsePid(pidFile.get());
        if (ProcStat.isAlive(pid.wrapperPid(), pid.wrapperStartTicks())) {
            return new HostJobState.Running(pid.jobProcessGroup());
        }
        // The wrapper may have written the exit code and ended between the two reads.
        return readExit(dir).<HostJobState>map(exit -> exit).orElseGet(() -> new HostJobState.Lost("the supervisor of job "
                + job.jobId() + " (pid " + pid.wrapperPid() + ") ended without recording an exit code: it was killed"
                + " or the host restarted" + wrapperOutput(dir)));
    }

    private Optional<HostJobState.Exited> readExit(Path dir) {
        Path exit = dir.resolve(ShellJobProtocol.EXIT_FILE);
        if (!exit.toFile().exists()) { // a running job has none: checked without an exception, as sweeps ask often
            return Optional.empty();
        }
        return readOptional(exit).map(ShellJobProtocol::parseExit);
    }

    /**
     * The session (and process group) the job leads, from its pid file; empty before the supervisor has written all
     * of it (one write(2): a line without its newline is a start cut short).
     */
    static Optional<Long> jobSession(Path dir) {
        return readOptional(dir.resolve(ShellJobProtocol.PID_FILE)).filter(text -> text.endsWith("\n"))
                .map(text -> ShellJobProtocol.parsePid(text).jobProcessGroup());
    }

    private String wrapperOutput(Path dir) {
        return readOptional(dir.resolve(ShellJobProtocol.WRAPPER_LOG)).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> "; its supervisor reported: " + s).orElse("");
    }

    static Optional<String> readOptional(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public LogChunk readLogs(JobHandle job, long fromOffset, int maxLines) {
        if (fromOffset < 0) {
            throw new IllegalArgumentException("fromOffset < 0: " + fromOffset);
        }
        if (maxLines < 1) {
            throw new IllegalArgumentException("maxLines < 1: " + maxLines);
        }
        Path log = jobDirectory(job).resolve(ShellJobProtocol.LOG_FILE);
        // Most reads find nothing new: one stat, and no exception for a job that has printed nothing (no file yet).
        if (log.toFile().length() <= fromOffset) {
            return new LogChunk(List.of(), fromOffset);
        }
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
            long available = channel.size() - fromOffset;
            if (available <= 0) {
                return new LogChunk(List.of(), fromOffset);
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(available, LOG_READ_BYTES));
            while (buffer.hasRemaining() && channel.read(buffer, fromOffset + buffer.position()) > 0) {
                // a record being appended may end past what size() said; the parser keeps only complete ones
            }
            ShellJobProtocol.ParsedLog parsed = ShellJobProtocol.parseLog(buffer.array(), buffer.position(), maxLines);
            return new LogChunk(parsed.lines(), fromOffset + parsed.consumedBytes());
        } catch (NoSuchFileException e) {
            return new LogChunk(List.of(), fromOffset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the log of job " + job.jobId() + " (" + log + ")", e);
        }
    }

    @Override
    public void stop(JobHandle job, Duration gracePeriod) {
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod < 0: " + gracePeriod);
        }
        signal(job, gracePeriod.isZero() ? 0 : Math.max(1, gracePeriod.toMillis()));
    }

    @Override
    public void kill(JobHandle job) {
        signal(job, 0);
    }

    private void signal(JobHandle job, long graceMillis) {
        spawner.signal(job.jobId(), graceMillis).ifPresentOrElse(
                outcome -> LOG.debug("Signalled job {} (grace {} ms): {}", job.jobId(), graceMillis, outcome),
                () -> signalWithScript(job, graceMillis));
    }

    private void signalWithScript(JobHandle job, long graceMillis) {
        try {
            ProcessRunner.Result result = runner.bash(ShellJobProtocol.signalScript(), "dstack-job-signal",
                    List.of(jobDirectory(job).toString(), Long.toString(graceMillis)), SIGNAL_TIMEOUT);
            if (!result.succeeded()) {
                throw new HostExecutionException(ErrorCode.ERROR, "cannot signal job " + job.jobId() + ": "
                        + result.diagnostic());
            }
            LOG.debug("Signalled job {} (grace {} ms): {}", job.jobId(), graceMillis, result.stdout().strip());
        } catch (IOException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot signal job " + job.jobId() + ": " + e, e);
        }
    }

    /** Whether the runtime has the image locally (asked before the job starts; a failed answer says no). */
    private boolean imagePresent(String cli, String image) {
        boolean podman = Path.of(cli).getFileName().toString().contains("podman");
        List<String> command = podman ? List.of(cli, "image", "exists", image)
                : List.of(cli, "image", "inspect", "--format", "{{.Id}}", image);
        try {
            return runner.run(command, SIGNAL_TIMEOUT).succeeded();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean pulling(JobHandle job) {
        return Files.exists(jobDirectory(job).resolve(ai.dstack.spi.host.ContainerScript.PULLING_FILE))
                && status(job) instanceof HostJobState.Running;
    }

    /** Reads {@code /proc} for the job's session and asks {@code nvidia-smi} (when on PATH) about the GPUs. */
    @Override
    public Optional<ai.dstack.spi.host.JobUsage> usage(JobHandle job) {
        return sample(List.of(job), "job " + job.jobId()).get(0);
    }

    /** One run of the sampling script and one walk of {@code /proc} for all the jobs. */
    @Override
    public Map<JobHandle, Optional<ai.dstack.spi.host.JobUsage>> usage(List<JobHandle> jobs) {
        List<Optional<ai.dstack.spi.host.JobUsage>> usages = sample(jobs, jobs.size() + " jobs");
        Map<JobHandle, Optional<ai.dstack.spi.host.JobUsage>> sampled = new java.util.LinkedHashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            sampled.put(jobs.get(i), usages.get(i));
        }
        return sampled;
    }

    private static final ProcUsage PROC = new ProcUsage(Path.of("/proc"));

    /**
     * The script samples the host (time, CPUs, memory, GPU tools on the jobs' PATH) and the jobs in a container (the
     * runtime knows their processes); the other jobs, each its supervisor's session, are read from {@code /proc}
     * here in one walk ({@link ProcUsage}), which costs a fraction of the script's.
     */
    private List<Optional<ai.dstack.spi.host.JobUsage>> sample(List<JobHandle> jobs, String what) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        List<Integer> scripted = new ArrayList<>();
        Map<Integer, Long> sessions = new java.util.HashMap<>();
        StringBuilder dirs = new StringBuilder();
        for (int i = 0; i < jobs.size(); i++) {
            Path dir = jobDirectory(jobs.get(i));
            if (dir.resolve(ShellJobProtocol.CONTAINER_FILE).toFile().length() > 0) {
                scripted.add(i);
                dirs.append(dir).append('\n');
            } else if (!dir.resolve(ShellJobProtocol.EXIT_FILE).toFile().exists()) {
                int index = i;
                jobSession(dir).ifPresent(session -> sessions.put(index, session));
            }
        }
        try {
            ProcessRunner.Result result = runner.bash(ShellJobProtocol.usageScript(), "dstack-job-usage", List.of(),
                    dirs.toString(), ShellJobProtocol.usageTimeout(scripted.size()));
            if (!result.succeeded()) {
                throw new HostExecutionException(ErrorCode.ERROR, "cannot sample " + what + ": " + result.diagnostic());
            }
            List<Optional<ai.dstack.spi.host.JobUsage>> usages =
                    new ArrayList<>(java.util.Collections.nCopies(jobs.size(), Optional.empty()));
            List<Optional<ai.dstack.spi.host.JobUsage>> byScript =
                    ShellJobProtocol.parseUsages(result.stdout(), scripted.size());
            for (int k = 0; k < scripted.size(); k++) {
                usages.set(scripted.get(k), byScript.get(k));
            }
            ShellJobProtocol.UsageHost now = ShellJobProtocol.parseUsageHost(result.stdout());
            Map<Long, ProcUsage.Usage> read = PROC.bySession(new java.util.HashSet<>(sessions.values()));
            sessions.forEach((i, session) -> {
                ProcUsage.Usage usage = read.get(session);
                if (usage != null) {
                    usages.set(i, Optional.of(now.job(usage.ticks(), usage.residentBytes(), usage.workingSetBytes())));
                }
            });
            return usages;
        } catch (IOException | IllegalArgumentException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot sample " + what + ": " + e, e);
        }
    }

    @Override
    public void cleanup(JobHandle job) {
        if (status(job) instanceof HostJobState.Running) {
            throw new HostExecutionException(ErrorCode.ERROR, "job " + job.jobId()
                    + " is still running on this host; stop or kill it before removing its files");
        }
        Path dir = jobDirectory(job);
        try {
            Files.deleteIfExists(root.resolve(ShellJobProtocol.EXITED_DIR).resolve(job.jobId()));
            if (Files.isDirectory(dir)) {
                deleteTree(dir);
            }
        } catch (IOException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot remove the files of job " + job.jobId()
                    + " in " + dir + ": " + e, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) { // does not follow symbolic links: a link's target stays
            paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    @Override
    public CompletionStage<HostJobState> onFinished(JobHandle job) {
        return watcher.watch(job);
    }

    /** A lock on {@code <job dir>/.log-reader.lock}: the OS lets it go when the holding process dies. */
    @Override
    public Optional<AutoCloseable> claimLogReader(JobHandle job) {
        Path dir = jobDirectory(job);
        if (!Files.isDirectory(dir)) {
            return Optional.of(() -> {}); // no job here, so no logs to share
        }
        Path lockFile = dir.resolve(LOG_READER_LOCK);
        synchronized (LOG_READERS) {
            if (LOG_READERS.containsKey(lockFile)) {
                return Optional.empty();
            }
            FileChannel channel = null;
            try {
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    channel.close();
                    return Optional.empty();
                }
                LOG_READERS.put(lockFile, lock);
                ownLogReaders.add(lockFile);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new UncheckedIOException("cannot lock " + lockFile, e);
            }
        }
        return Optional.of(() -> releaseLogReader(lockFile));
    }

    private void releaseLogReader(Path lockFile) {
        synchronized (LOG_READERS) {
            if (!ownLogReaders.remove(lockFile)) {
                return;
            }
            FileLock lock = LOG_READERS.remove(lockFile);
            if (lock != null) {
                closeQuietly(lock.channel()); // closing the channel releases the lock
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Closing {} failed", channel, e);
        }
    }

    @Override
    public List<JobHandle> jobs() {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(Files::isDirectory)
                    .map(path -> path.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .sorted()
                    .map(JobHandle::new)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the jobs in " + root, e);
        }
    }

    /** Also ends the job spawner; jobs keep running, and calls after this run a script per start or signal. */
    @Override
    public void close() {
        List.copyOf(ownLogReaders).forEach(this::releaseLogReader);
        watcher.close();
        spawner.close();
    }

    /** The pid of the job spawner while one runs, else -1 (for tests). */
    long spawnerPid() {
        return spawner.pid();
    }
}
