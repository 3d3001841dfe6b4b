package ai.dstack.backend.ssh.internal;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.ContainerScript;
import ai.dstack.spi.host.GpuDevices;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.HostGpu;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.JobArchive;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.JobRepoCheckout;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.LogChunk;
import ai.dstack.spi.host.ShellJobProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs on a remote host with the {@link ShellJobProtocol}, over the host's pooled {@link SshConnection}: the
 * same files and detached processes as on the engine's machine, so a job survives a dropped connection and a
 * restarted server, and any engine that reaches the host reads its status and logs. Jobs are started and signalled
 * with the protocol's scripts (the launcher and the signal script), one exec channel each.
 */
final class SshHostExecutor implements HostExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(SshHostExecutor.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /** A clone of a large repo takes a while; the job waits in provisioning meanwhile. */
    private static final Duration REPO_CHECKOUT_TIMEOUT = Duration.ofMinutes(10);
    private static final int LOG_READ_BYTES = 256 * 1024;

    private final SshConnection connection;
    private final String root;
    private final Map<String, CompletableFuture<HostJobState>> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watcher;
    /** The host's container runtime as its last probe found it; null before a probe or without one. */
    private volatile String containerRuntime;
    /** The host's GPUs as its last probe found them; null before a probe. */
    private volatile List<HostGpu> gpus;
    private final SshJobShells shells;

    /**
     * @param root the absolute directory on the host that holds the jobs' directories
     */
    SshHostExecutor(SshConnection connection, String root, Duration exitPoll) {
        this.connection = connection;
        this.root = root;
        this.shells = new SshJobShells(connection, root);
        this.watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dstack-ssh-exits-" + connection.address().hostname());
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduleWithFixedDelay(this::noticeExits, exitPoll.toMillis(), exitPoll.toMillis(), TimeUnit.MILLISECONDS);
    }

    String root() {
        return root;
    }

    /** What the host's probe found: {@code docker}, {@code podman} or null for none. */
    void containerRuntime(String runtime) {
        this.containerRuntime = runtime;
    }

    /** What the host's probe found: its GPUs, which its jobs share out. */
    void gpus(List<HostGpu> found) {
        this.gpus = List.copyOf(found);
    }

    /** The runtime that jobs with an {@code image} run with here, as the host's probe found it. */
    @Override
    public java.util.Optional<String> containerRuntime() {
        return java.util.Optional.ofNullable(containerRuntime);
    }

    @Override
    public java.util.Optional<ai.dstack.spi.host.JobShells> shells() {
        return java.util.Optional.of(shells);
    }

    /** Jobs' ports are reached through a tunnel over the host's connection to its loopback. */
    @Override
    public java.util.Optional<java.net.InetSocketAddress> forwardPort(JobHandle job, int port) {
        return java.util.Optional.of(connection.forwardToLoopback(port));
    }

    @Override
    public java.util.Optional<Boolean> listensOn(JobHandle job, int port) {
        CommandResult result = connection.run("bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + port + "' 2>/dev/null", null,
                COMMAND_TIMEOUT);
        return java.util.Optional.of(result.succeeded());
    }

    /** The probed runtime, or (before a probe, e.g. after a restart) the one whose engine answers now. */
    private String runtimeForImage(JobLaunch launch) {
        String known = containerRuntime;
        if (known != null) {
            return known;
        }
        CommandResult found = connection.run("bash -s", RemoteScripts.CONTAINER_RUNTIME, COMMAND_TIMEOUT);
        String runtime = found.succeeded() ? HostProbe.runtime(found.out()) : null;
        if (runtime == null) {
            throw new HostExecutionException(ErrorCode.INVALID_REQUEST, "image " + launch.image() + " needs a"
                    + " container runtime; " + connection.address().display() + " has no Docker or Podman engine"
                    + " that answers (docker info / podman ps)" + (found.succeeded() ? "" : ": "
                    + firstLine(found.diagnostic())));
        }
        containerRuntime = runtime;
        return runtime;
    }

    private String jobDir(String jobId) {
        return root + "/" + jobId;
    }

    @Override
    public JobHandle start(JobLaunch requested) {
        String cli = requested.image() == null ? null : runtimeForImage(requested);
        String dir = jobDir(requested.jobId());
        // With GPUs the job's directory is made by their allocation, which records them in it.
        GpuDevices devices = allocateGpus(requested);
        Map<String, String> env = new LinkedHashMap<>(devices.environment(cli != null));
        env.putAll(requested.env()); // the configuration's env may say otherwise
        JobLaunch launch = requested.withEnv(env);
        StringBuilder script = new StringBuilder("set -u\nd=\"$1\"\numask 077\n");
        if (devices.isEmpty()) {
            script.append("if ! mkdir \"$d\" 2>/dev/null; then\n")
                    .append("  if [ -e \"$d\" ]; then echo \"job ").append(launch.jobId())
                    .append(" already exists on this host ($d)\" >&2; exit 10; fi\n")
                    .append("  echo \"cannot create the job directory $d\" >&2; exit 11\nfi\n");
        }
        script.append("cd \"$d\" || exit 11\n")
                .append(checkOut(launch))
                .append("mkdir -p ").append(ShellJobProtocol.shellQuote(workDir(launch))).append(" || exit 11\n")
                .append(unpackArchives(launch))
                .append(RemoteScripts.writeFile(ShellJobProtocol.JOB_SCRIPT, cli == null ? ShellJobProtocol.jobScript(launch)
                        : ShellJobProtocol.jobScript(launch, List.of(), cli, devices)))
                .append(RemoteScripts.writeFile(ShellJobProtocol.WRAPPER_SCRIPT, ShellJobProtocol.wrapperScript()));
        if (launch.image() != null) {
            // The container's name and the CLI that runs it, for signals and the supervisor's clean-up.
            script.append(RemoteScripts.writeFile(ShellJobProtocol.CONTAINER_FILE,
                    ShellJobProtocol.containerName(launch.jobId()) + "\n" + cli + "\n"));
            // Pulling from the start, so the engine sees it at once; the job script removes it once the image is in.
            script.append("__dstack_job_dir=\"$d\"\n").append(ContainerScript.imagePresent(cli, launch.image()))
                    .append(" || : >").append(ContainerScript.PULLING_FILE).append('\n');
        }
        script.append("launcher=$(cat <<'DSTACK_LAUNCHER_EOF'\n").append(ShellJobProtocol.launcherScript())
                .append("\nDSTACK_LAUNCHER_EOF\n)\n")
                .append("exec bash -c \"$launcher\" dstack-job-launcher \"$d\" </dev/null\n");
        CommandResult started;
        try {
            // Not repeated on a drop: the job may have started. The engine looks at the host again before retrying.
            started = connection.runOnce(RemoteScripts.bashStdin(List.of(dir)), script.toString(),
                    launch.repo() == null ? COMMAND_TIMEOUT : REPO_CHECKOUT_TIMEOUT);
        } catch (SshConnection.ConnectionLost e) {
            throw mayNotHaveStarted(launch, e);
        }
        if (started.exitCode() == 10) {
            throw new HostExecutionException(ErrorCode.RESOURCE_EXISTS, started.diagnostic());
        }
        if (started.exitCode() == JobRepoCheckout.FAILED) {
            throw new HostExecutionException(ErrorCode.ERROR, "job " + launch.jobId() + ": cannot check out the repo"
                    + " on " + connection.address().display() + ": " + started.diagnostic());
        }
        if (!started.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, "job " + launch.jobId() + " could not start on "
                    + connection.address().display() + ": " + started.diagnostic());
        }
        LOG.debug("Started job {} on {} (pid file: {})", launch.jobId(), connection.address(), started.out().strip());
        return new JobHandle(launch.jobId());
    }

    /** Not a HostExecutionException: that would fail the job, while the engine should look again and retry. */
    private UncheckedIOException mayNotHaveStarted(JobLaunch launch, SshConnection.ConnectionLost e) {
        return new UncheckedIOException(new IOException("job " + launch.jobId() + " may not have started on "
                + connection.address().display() + ": " + e.getMessage()));
    }

    /**
     * The job's GPUs, as the engine's own host gives them: none on a host without GPUs; on a GPU host, a job that asks
     * for none sees none, and one that asks for some gets the lowest free indexes, recorded in its new directory.
     */
    private GpuDevices allocateGpus(JobLaunch launch) {
        List<HostGpu> host = hostGpus();
        if (host.isEmpty()) {
            // Nothing to pin: a host that lists no GPUs took a job that wants some only when its resources came from
            // a cloud offer (accelerators such as TPUs, which nvidia-smi/amd-smi do not list); SSH fleet hosts are
            // placed by what their probe found.
            return GpuDevices.NONE;
        }
        String vendor = host.get(0).vendor();
        if (launch.gpus() == 0) {
            return new GpuDevices(vendor, List.of());
        }
        int total = host.stream().filter(gpu -> gpu.vendor().equals(vendor)).mapToInt(HostGpu::count).sum();
        String script = "status_script=" + ShellJobProtocol.shellQuote(RemoteScripts.STATUS) + "\n"
                + RemoteScripts.GPU_ALLOCATE;
        CommandResult allocated;
        try {
            // Not repeated on a drop: the directory may have been made. The engine looks again before retrying.
            allocated = connection.runOnce(RemoteScripts.bashStdin(List.of(root, launch.jobId(), vendor,
                    Integer.toString(total), Integer.toString(launch.gpus()))), script, COMMAND_TIMEOUT);
        } catch (SshConnection.ConnectionLost e) {
            throw mayNotHaveStarted(launch, e);
        }
        if (allocated.exitCode() == 10) {
            throw new HostExecutionException(ErrorCode.RESOURCE_EXISTS, allocated.diagnostic());
        }
        if (!allocated.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, allocated.exitCode() == 14 ? allocated.diagnostic()
                    : "cannot give job " + launch.jobId() + " its GPUs on " + connection.address().display() + ": "
                            + allocated.diagnostic());
        }
        List<Integer> indexes = java.util.Arrays.stream(allocated.out().strip().split(","))
                .map(Integer::parseInt).toList();
        return new GpuDevices(vendor, indexes);
    }

    /** The probed GPUs, or (before a probe, e.g. after a restart) the ones the host's probe finds now. */
    private List<HostGpu> hostGpus() {
        List<HostGpu> known = gpus;
        if (known == null) {
            CommandResult probe = connection.run("bash -s", RemoteScripts.PROBE, COMMAND_TIMEOUT);
            HostProbe.Result result = HostProbe.parse(probe.out(), connection.address().display());
            containerRuntime = result.containerRuntime();
            known = result.resources().gpus();
            gpus = known;
        }
        return known;
    }

    /**
     * The remote repo's clone, in a subshell of the start script (which reaches bash on standard input, so the
     * credentials in it are on no command line); it runs in the job's directory and fails with its own exit code.
     */
    private static String checkOut(JobLaunch launch) {
        if (launch.repo() == null) {
            return "";
        }
        // A delimiter no value in the script can contain (they are quoted, but a name may hold a newline).
        String delimiter = "DSTACK_CHECKOUT_" + java.util.UUID.randomUUID().toString().replace("-", "");
        return "( bash -s <<'" + delimiter + "'\n" + launch.repo().script() + delimiter + "\n) || exit $?\n";
    }

    /** The code and {@code files:} archives, bundled and checked here, unpacked into the job's work directory. */
    private static String unpackArchives(JobLaunch launch) {
        if (launch.archives().isEmpty()) {
            return "";
        }
        String encoded = java.util.Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(
                JobArchive.bundle(launch.archives(), launch.jobId()));
        return "base64 -d > archives.tar <<'DSTACK_ARCHIVES_EOF' || exit 12\n" + encoded + "\nDSTACK_ARCHIVES_EOF\n"
                + "tar -x -f archives.tar -C " + ShellJobProtocol.WORK_DIR + " --no-same-owner"
                + " || { echo \"cannot unpack the job's code and files into $d/" + ShellJobProtocol.WORK_DIR
                + "\" >&2; exit 12; }\nrm -f archives.tar\n";
    }

    private static String workDir(JobLaunch launch) {
        return launch.workingDir().isEmpty() ? ShellJobProtocol.WORK_DIR
                : ShellJobProtocol.WORK_DIR + "/" + launch.workingDir();
    }

    @Override
    public HostJobState status(JobHandle job) {
        CommandResult result = connection.run(RemoteScripts.bashC(RemoteScripts.STATUS, "dstack-job-status",
                List.of(jobDir(job.jobId()))), null, COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot read the status of job " + job.jobId() + " on "
                    + connection.address().display() + ": " + result.diagnostic());
        }
        return parseStatus(job.jobId(), result.out().strip());
    }

    private HostJobState parseStatus(String jobId, String line) {
        String[] parts = line.split(" ", 2);
        String rest = parts.length > 1 ? parts[1].strip() : "";
        String where = " on " + connection.address().display();
        return switch (parts[0]) {
            case "exit" -> ShellJobProtocol.parseExit(rest);
            case "running" -> new HostJobState.Running(Long.parseLong(rest));
            case "absent" -> new HostJobState.Lost("there is no job " + jobId + where + " (no directory "
                    + jobDir(jobId) + ")");
            case "never-started" -> new HostJobState.Lost("job " + jobId + " never started" + where + supervisor(rest));
            case "lost" -> {
                String[] lost = rest.split(" ", 2);
                yield new HostJobState.Lost("the supervisor of job " + jobId + " (pid " + lost[0] + ")" + where
                        + " ended without recording an exit code: it was killed or the host restarted"
                        + supervisor(lost.length > 1 ? lost[1] : ""));
            }
            default -> throw new HostExecutionException(ErrorCode.ERROR, "unexpected status of job " + jobId + where
                    + ": " + line);
        };
    }

    private static String supervisor(String output) {
        return output.isBlank() ? "" : "; its supervisor reported: " + output.strip();
    }

    /** The container script's marker while it pulls the image, read with the job's status in one exec. */
    @Override
    public boolean pulling(JobHandle job) {
        String dir = jobDir(job.jobId());
        CommandResult result = connection.run("test -f " + ShellJobProtocol.shellQuote(dir + "/"
                + ContainerScript.PULLING_FILE) + " && " + RemoteScripts.bashC(RemoteScripts.STATUS,
                "dstack-job-status", List.of(dir)), null, COMMAND_TIMEOUT);
        return result.succeeded() && parseStatus(job.jobId(), result.out().strip()) instanceof HostJobState.Running;
    }

    @Override
    public LogChunk readLogs(JobHandle job, long fromOffset, int maxLines) {
        if (fromOffset < 0) {
            throw new IllegalArgumentException("fromOffset < 0: " + fromOffset);
        }
        if (maxLines < 1) {
            throw new IllegalArgumentException("maxLines < 1: " + maxLines);
        }
        String log = ShellJobProtocol.shellQuote(jobDir(job.jobId()) + "/" + ShellJobProtocol.LOG_FILE);
        CommandResult result = connection.run("tail -c +" + (fromOffset + 1) + " " + log + " 2>/dev/null | head -c "
                + LOG_READ_BYTES, null, COMMAND_TIMEOUT);
        byte[] bytes = result.stdout();
        ShellJobProtocol.ParsedLog parsed = ShellJobProtocol.parseLog(bytes, bytes.length, maxLines);
        return new LogChunk(parsed.lines(), fromOffset + parsed.consumedBytes());
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
        CommandResult result = connection.run(RemoteScripts.bashC(ShellJobProtocol.signalScript(), "dstack-job-signal",
                List.of(jobDir(job.jobId()), Long.toString(graceMillis))), null, COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot signal job " + job.jobId() + " on "
                    + connection.address().display() + ": " + result.diagnostic());
        }
        LOG.debug("Signalled job {} on {} (grace {} ms): {}", job.jobId(), connection.address(), graceMillis,
                result.out().strip());
    }

    /** The same sampling script as on the engine's machine, over this host's SSH connection. */
    @Override
    public java.util.Optional<ai.dstack.spi.host.JobUsage> usage(JobHandle job) {
        return sample(List.of(job), "job " + job.jobId()).get(0);
    }

    /** All the jobs in one command and one walk of the host's processes. */
    @Override
    public java.util.Map<JobHandle, java.util.Optional<ai.dstack.spi.host.JobUsage>> usage(List<JobHandle> jobs) {
        List<java.util.Optional<ai.dstack.spi.host.JobUsage>> usages = sample(jobs, jobs.size() + " jobs");
        java.util.Map<JobHandle, java.util.Optional<ai.dstack.spi.host.JobUsage>> sampled = new java.util.LinkedHashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            sampled.put(jobs.get(i), usages.get(i));
        }
        return sampled;
    }

    private List<java.util.Optional<ai.dstack.spi.host.JobUsage>> sample(List<JobHandle> jobs, String what) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        StringBuilder dirs = new StringBuilder();
        jobs.forEach(job -> dirs.append(jobDir(job.jobId())).append('\n'));
        CommandResult result = connection.run(RemoteScripts.bashC(ShellJobProtocol.usageScript(), "dstack-job-usage",
                List.of()), dirs.toString(), COMMAND_TIMEOUT.plus(ShellJobProtocol.usageTimeout(jobs.size())));
        if (!result.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot sample " + what + " on "
                    + connection.address().display() + ": " + result.diagnostic());
        }
        try {
            return ShellJobProtocol.parseUsages(result.out(), jobs.size());
        } catch (IllegalArgumentException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot sample " + what + " on "
                    + connection.address().display() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void cleanup(JobHandle job) {
        if (status(job) instanceof HostJobState.Running) {
            throw new HostExecutionException(ErrorCode.ERROR, "job " + job.jobId() + " is still running on "
                    + connection.address().display() + "; stop or kill it before removing its files");
        }
        CommandResult result = connection.run("rm -rf " + ShellJobProtocol.shellQuote(jobDir(job.jobId())) + " "
                + ShellJobProtocol.shellQuote(root + "/" + ShellJobProtocol.EXITED_DIR + "/" + job.jobId()), null,
                COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot remove the files of job " + job.jobId() + " on "
                    + connection.address().display() + ": " + result.diagnostic());
        }
    }

    @Override
    public CompletionStage<HostJobState> onFinished(JobHandle job) {
        return waiting.computeIfAbsent(job.jobId(), id -> new CompletableFuture<>());
    }

    /** One listing of the exit markers per poll, for all watched jobs; a host that does not answer is asked again. */
    private void noticeExits() {
        if (waiting.isEmpty()) {
            return;
        }
        try {
            CommandResult listing = connection.run("ls -1 " + ShellJobProtocol.shellQuote(root + "/"
                    + ShellJobProtocol.EXITED_DIR) + " 2>/dev/null", null, COMMAND_TIMEOUT);
            Set<String> exited = listing.out().lines().map(String::strip).collect(Collectors.toSet());
            List<String> ended = waiting.keySet().stream().filter(exited::contains).toList();
            statuses(ended).forEach((jobId, status) -> {
                if (status.isFinal()) {
                    CompletableFuture<HostJobState> future = waiting.remove(jobId);
                    if (future != null) {
                        future.complete(status);
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("Listing finished jobs on {} failed; will retry", connection.address(), e);
        }
    }

    /**
     * The states of several jobs in one exec (jobs that end together cost one round trip, not one each). The job ids
     * go in on stdin, one per line: they are directory names, which hold no newline.
     */
    private Map<String, HostJobState> statuses(List<String> jobIds) {
        if (jobIds.isEmpty()) {
            return Map.of();
        }
        StringBuilder script = new StringBuilder("set -u\nroot=\"$1\"\njob_status() (\n").append(RemoteScripts.STATUS)
                .append("\n)\nwhile IFS= read -r job; do\n  printf '%s ' \"$job\"\n  job_status \"$root/$job\"\n")
                .append("done <<'DSTACK_JOBS_EOF'\n");
        jobIds.forEach(jobId -> script.append(jobId).append('\n'));
        script.append("DSTACK_JOBS_EOF\n");
        CommandResult result = connection.run(RemoteScripts.bashStdin(List.of(root)), script.toString(), COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot read the status of " + jobIds.size() + " jobs on "
                    + connection.address().display() + ": " + result.diagnostic());
        }
        Set<String> asked = Set.copyOf(jobIds);
        Map<String, HostJobState> states = new LinkedHashMap<>();
        result.out().lines().map(String::strip).filter(line -> line.contains(" ")).forEach(line -> {
            int space = line.indexOf(' ');
            String jobId = line.substring(0, space);
            if (asked.contains(jobId)) {
                states.put(jobId, parseStatus(jobId, line.substring(space + 1)));
            }
        });
        return states;
    }

    @Override
    public List<JobHandle> jobs() {
        CommandResult listing = connection.run("ls -1 " + ShellJobProtocol.shellQuote(root) + " 2>/dev/null", null,
                COMMAND_TIMEOUT);
        List<JobHandle> jobs = new ArrayList<>();
        listing.out().lines().map(String::strip).filter(name -> !name.isEmpty() && !name.startsWith("."))
                .forEach(name -> jobs.add(new JobHandle(name)));
        return jobs;
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        waiting.values().forEach(future -> future.cancel(false));
        waiting.clear();
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse(text);
    }
}
