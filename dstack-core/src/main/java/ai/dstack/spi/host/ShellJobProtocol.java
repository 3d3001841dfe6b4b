package ai.dstack.spi.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The protocol by which a {@link HostExecutor} runs a job as plain files and shell commands, so that it works the
 * same on the engine's machine and over SSH. It needs a Linux host with bash, and either perl (with its POSIX and
 * Time::HiRes modules, as in every perl install) or setsid, mkfifo and pkill. With perl, one long-lived spawner
 * ({@link #spawnerScript()}) starts and signals all jobs, a few milliseconds each; without it each start and signal
 * runs a script ({@link #launcherScript()}, {@link #signalScript()}), tens of milliseconds each. Both leave the same
 * files, so either reads and signals the jobs of the other.
 *
 * <p>Jobs live under a root directory; each job has a directory named by its id, holding:
 * <ul>
 *   <li>{@value #JOB_SCRIPT}: the job's environment and commands, written by the executor ({@link #jobScript});
 *   <li>{@value #WRAPPER_SCRIPT}: the supervisor ({@link #wrapperScript()}), copied by the executor when it launches
 *       the job without the spawner;
 *   <li>{@value #WORK_DIR}/: the job's working directory;
 *   <li>{@value #PID_FILE}: {@code <supervisor pid> <supervisor start time in clock ticks> <job process group id>},
 *       the supervisor being the job's wrapper or the spawner's child that does the wrapper's work;
 *   <li>{@value #LOG_FILE}: one record per line, {@code <epoch millis> <tag> <text>}, tag {@code O}/{@code E} for
 *       stdout/stderr text that ended with a newline, {@code o}/{@code e} for a fragment (see {@link LogLine}). Each
 *       record is a single append of at most ~4 KiB, so stdout and stderr records never interleave and a reader
 *       that keeps only newline-terminated records never sees a half-written one;
 *   <li>{@value #EXIT_FILE}: {@code <exit code> <epoch millis>}, written atomically (tmp + mv) once the job and its
 *       logs are complete; 128+N when signal N ended the job;
 *   <li>{@value #WRAPPER_LOG}: the supervisor's own errors;
 *   <li>{@code ready.fifo}, {@code out.fifo}, {@code err.fifo}: named pipes made by the launcher, removed by the
 *       wrapper when the job ends (the wrapper's answer to the launcher, the job's stdout and stderr); the spawner's
 *       supervisors use anonymous pipes;
 *   <li>{@value #RUN_AS_FILE}: when the job runs as a user of its own, that user's id (also its group's): the
 *       spawner's supervisor then gives up root itself before it runs {@value #JOB_SCRIPT} (from its stdin, since
 *       the script is root's), so that the job's last exec need not go through setpriv; without the file, or where
 *       the supervisor cannot, {@value #JOB_SCRIPT} runs as root and its last exec does;
 *   <li>{@value #CONTAINER_FILE}: for a job run in a Docker image, the container's name ({@link #containerName}),
 *       so that signals and the wrapper's clean-up reach the container and not only the {@code docker run} client;
 *   <li>{@code container-pid}: {@code <pid> <start time in clock ticks>} of the container's main process, written by
 *       the usage script the first time it asks the runtime, so that later samples need not ask again.
 * </ul>
 * When a job ends the supervisor also creates the empty file {@code <root>/}{@value #EXITED_DIR}{@code /<job id>}, so one
 * watch (or one directory listing) over that directory notices every exit.
 *
 * <p>The root also holds the spawner's copy of its script, {@value #SPAWNER_SCRIPT}, and its errors,
 * {@value #SPAWNER_LOG}. It runs as {@code perl <root>/}{@value #SPAWNER_SCRIPT}{@code  <root>} and speaks one line
 * per request and per reply on its stdin and stdout (see the script); it ends when its stdin does, the jobs do not.
 *
 * <p>Without perl, commands run as {@code bash -c "<script>" <name> <arguments>}:
 * <ul>
 *   <li>{@link #launcherScript()} {@code <absolute job dir>}: starts the wrapper with setsid and prints the pid file;
 *   <li>{@link #signalScript()} {@code <absolute job dir> <grace millis>}: grace 0 sends SIGKILL to the job's
 *       process group and session; otherwise SIGTERM now and SIGKILL from a detached timer after the grace period.
 * </ul>
 */
public final class ShellJobProtocol {
    public static final String JOB_SCRIPT = "job.sh";
    public static final String WRAPPER_SCRIPT = "job-wrapper.sh";
    public static final String WORK_DIR = "workdir";
    public static final String PID_FILE = "pid";
    public static final String LOG_FILE = "log";
    public static final String EXIT_FILE = "exit";
    public static final String WRAPPER_LOG = "wrapper.log";
    public static final String CONTAINER_FILE = "container";
    /** The user id a job runs as, for the supervisor to switch to itself (see the class comment). */
    public static final String RUN_AS_FILE = "user";
    public static final String EXITED_DIR = ".exited";
    /** dstack's MPI hostfile, relative to the job's directory. */
    public static final String MPI_HOSTFILE = "mpi/hostfile";
    /** Where a container sees the MPI hostfile: dstack's path. */
    public static final String CONTAINER_MPI_HOSTFILE = "/dstack/mpi/hostfile";
    public static final String SPAWNER_SCRIPT = ".job-spawner.pl";
    public static final String SPAWNER_LOG = ".job-spawner.log";
    /** The bash array in {@value #JOB_SCRIPT} holding the command prefix that runs the job as its own user. */
    public static final String RUN_AS_VARIABLE = "__dstack_run_as";

    /**
     * Enters a job, as an SSH session into it does: run with bash in any directory, it reads its inputs from
     * variables ({@code DSTACK_SSH_JOB_DIR}, {@code DSTACK_SSH_COMMAND}, {@code DSTACK_SSH_ROWS},
     * {@code DSTACK_SSH_COLUMNS}) so that no user text is ever parsed as script, takes the job's environment from its
     * {@value #JOB_SCRIPT}, and runs the command (or a shell) as the job's user or in the job's container.
     */
    public static final String ENTER_JOB = String.join("\n",
            "cd -- \"$DSTACK_SSH_JOB_DIR\" || exit 1",
            "__container=; __cli=; { read -r __container; read -r __cli; } 2>/dev/null <"
                    + CONTAINER_FILE,
            "eval \"$(sed '$d' " + JOB_SCRIPT + ")\" || exit 1",
            "__command=$DSTACK_SSH_COMMAND",
            "if [ -n \"$DSTACK_SSH_ROWS\" ] && [ -t 0 ]; then stty rows \"$DSTACK_SSH_ROWS\" cols \"$DSTACK_SSH_COLUMNS\" 2>/dev/null; fi",
            "unset DSTACK_SSH_JOB_DIR DSTACK_SSH_COMMAND DSTACK_SSH_ROWS DSTACK_SSH_COLUMNS DSTACK_SSH_SCRIPT",
            "__shell=/bin/bash; [ -x \"$__shell\" ] || __shell=/bin/sh",
            "if [ -n \"$__container\" ]; then",
            // The job is running once its runtime client started; the container itself may need a moment more.
            "  for __i in $(seq 1 300); do",
            "    \"${__cli:-docker}\" container inspect -f '{{.State.Running}}' \"$__container\" 2>/dev/null | grep -q true && break",
            "    sleep 0.1",
            "  done",
            "  if [ -t 0 ]; then __tty=-t; else __tty=; fi",
            "  __wd=${" + ContainerScript.WORKDIR_VARIABLE + ":-$PWD}",
            "  if [ -n \"$__command\" ]; then exec \"${__cli:-docker}\" exec -i $__tty -w \"$__wd\" \"$__container\" /bin/sh -c \"$__command\"; fi",
            "  exec \"${__cli:-docker}\" exec -i $__tty -w \"$__wd\" \"$__container\" /bin/sh",
            "fi",
            "if [ -n \"$__command\" ]; then exec \"${" + RUN_AS_VARIABLE + "[@]}\" \"$__shell\" -c \"$__command\"; fi",
            "if [ -t 0 ]; then exec \"${" + RUN_AS_VARIABLE + "[@]}\" \"$__shell\" -i; fi",
            "exec \"${" + RUN_AS_VARIABLE + "[@]}\" \"$__shell\"",
            "");

    /** Docker containers of jobs that run in an image are named this plus the job id. */
    public static final String CONTAINER_PREFIX = "dstack-job-";

    private static final String WRAPPER = resource("job-wrapper.sh");
    private static final String LAUNCHER = resource("job-launcher.sh");
    private static final String SIGNAL = resource("job-signal.sh");
    private static final String SPAWNER = resource("job-spawner.pl");
    private static final String USAGE = resource("job-usage.sh");

    private ShellJobProtocol() {}

    /**
     * The supervisor of one job, run from the job's directory: it starts {@value #JOB_SCRIPT} in a new session,
     * writes the pid file, logs the job's output, and when the job's main process ends kills what is left of its
     * session, waits for the output (at most 5 s), writes the exit file and the {@value #EXITED_DIR} marker. The
     * logger is a perl program (64 KiB reads) or, without perl and Time::HiRes or with {@code DSTACK_JOB_LOGGER=bash}
     * in the environment, two bash loops (byte-by-byte reads, about 100 times slower).
     */
    public static String wrapperScript() {
        return WRAPPER;
    }

    public static String launcherScript() {
        return LAUNCHER;
    }

    public static String signalScript() {
        return SIGNAL;
    }

    /**
     * {@code bash -c "<script>" usage <absolute job dir>...} (or the directories one a line on stdin, with no
     * arguments): prints the resource usage of each job's live processes (its session, or its container) and of the
     * host's GPUs ({@code nvidia-smi}, else {@code amd-smi}), reading the host's process table once for all the jobs;
     * parse it with {@link #parseUsages}.
     */
    public static String usageScript() {
        return USAGE;
    }

    /** How long sampling {@code jobs} jobs at once may take: a walk of a busy host's processes, then a line each. */
    public static java.time.Duration usageTimeout(int jobs) {
        return java.time.Duration.ofSeconds(10).plusMillis(5L * jobs);
    }

    /** Reads what {@link #usageScript()} printed for one job: empty when the job has no live processes. */
    public static java.util.Optional<JobUsage> parseUsage(String output) {
        return parseUsages(output, 1).get(0);
    }

    /**
     * What {@link #usageScript()} printed about the host, which every job's usage carries.
     *
     * @param ticksPerSecond the clock ticks of the CPU times in {@code /proc} (100 when the script did not say)
     */
    public record UsageHost(Instant time, int cpus, long memoryTotalBytes, long ticksPerSecond, List<JobUsage.Gpu> gpus) {
        public UsageHost {
            gpus = List.copyOf(gpus);
        }

        /** A job's usage at this moment: its processes' CPU time in clock ticks and their memory. */
        public JobUsage job(long ticks, long residentBytes, long workingSetBytes) {
            return new JobUsage(time, ticks * 1_000_000 / Math.max(1, ticksPerSecond), residentBytes, workingSetBytes,
                    cpus, memoryTotalBytes, gpus);
        }
    }

    /**
     * Reads the host's lines of what {@link #usageScript()} printed.
     *
     * @throws IllegalArgumentException when the output lacks a line the script always prints
     */
    public static UsageHost parseUsageHost(String output) {
        Map<String, String[]> host = new java.util.HashMap<>();
        List<JobUsage.Gpu> gpus = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields[0].equals("gpu") && fields.length == 4) {
                gpus.add(new JobUsage.Gpu(Integer.parseInt(fields[1]), Long.parseLong(fields[2]) << 20,
                        Long.parseLong(fields[3]) << 20));
            } else if (!fields[0].equals("job") && fields.length > 1) {
                host.put(fields[0], fields);
            }
        }
        for (String key : List.of("time", "cpus", "memory_total")) {
            if (!host.containsKey(key)) {
                throw new IllegalArgumentException("the usage script printed no '" + key + "' line: " + output.strip());
            }
        }
        return new UsageHost(Instant.ofEpochMilli(Long.parseLong(host.get("time")[1])),
                Integer.parseInt(host.get("cpus")[1]), Long.parseLong(host.get("memory_total")[1]),
                host.containsKey("hz") ? Long.parseLong(host.get("hz")[1]) : 100, gpus);
    }

    /**
     * Reads what {@link #usageScript()} printed for {@code jobs} job directories, in their order: empty for a job with
     * no live processes.
     *
     * @throws IllegalArgumentException when the output lacks a line the script always prints
     */
    public static List<java.util.Optional<JobUsage>> parseUsages(String output, int jobs) {
        UsageHost host = parseUsageHost(output);
        Map<Integer, String[]> perJob = new java.util.HashMap<>();
        for (String line : output.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields[0].equals("job") && fields.length > 2) {
                perJob.put(Integer.parseInt(fields[1]), fields);
            }
        }
        List<java.util.Optional<JobUsage>> usages = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            String[] fields = perJob.get(i);
            if (fields == null) {
                throw new IllegalArgumentException("the usage script printed no line for job " + i + ": " + output.strip());
            }
            if (fields[2].equals("not-running")) {
                usages.add(java.util.Optional.empty());
                continue;
            }
            // job <i> <ticks> <ticks per second> <resident bytes> <working set bytes> <processes>; the ticks per
            // second are the host's "hz" line again
            usages.add(java.util.Optional.of(host.job(Long.parseLong(fields[2]), Long.parseLong(fields[4]),
                    Long.parseLong(fields[5]))));
        }
        return usages;
    }

    /**
     * The spawner, a perl program: started once per jobs directory, it forks for each job a supervisor that does what
     * {@link #wrapperScript()} does (the job in a session of its own, the log, the exit file and marker) in the same
     * process, with no shell and no logger program of its own, and signals jobs as {@link #signalScript()} does.
     * Supervisors and stop timers leave the spawner's session at once, so they outlive it and its caller.
     */
    public static String spawnerScript() {
        return SPAWNER;
    }

    /**
     * The content of {@value #JOB_SCRIPT}: exports the launch's environment, enters the working directory (made if
     * missing; setting {@code DSTACK_WORKING_DIR} to it) and runs the joined commands with the launch's shell,
     * directly or in a Docker container of the launch's image. It runs with the job directory as its current directory.
     */
    public static String jobScript(JobLaunch launch) {
        return jobScript(launch, List.of(), "docker", GpuDevices.NONE);
    }

    /**
     * {@link #jobScript(JobLaunch)} whose commands run through {@code runAs} (a command prefix such as
     * {@code setpriv --reuid=N ... --}), kept in the script's bash array {@value #RUN_AS_VARIABLE} so that shells
     * opened in the job later drop to the same user. Ignored for a job in a Docker image: the container is its
     * boundary.
     */
    public static String jobScript(JobLaunch launch, List<String> runAs) {
        return jobScript(launch, runAs, "docker", GpuDevices.NONE);
    }

    /**
     * {@link #jobScript(JobLaunch, List)} with the container CLI that runs a job with an image ({@code docker},
     * {@code podman} or a path to either; see {@link ContainerScript}) and the GPUs the host gave the job.
     */
    public static String jobScript(JobLaunch launch, List<String> runAs, String containerCli, GpuDevices gpus) {
        StringBuilder script = new StringBuilder();
        script.append("# The environment and commands of job ").append(launch.jobId())
                .append(" (generated by dstack-jvm, protocol 1)\n");
        for (Map.Entry<String, String> variable : launch.sortedEnv().entrySet()) {
            if (launch.image() != null && ContainerScript.CLIENT_VARIABLES.contains(variable.getKey())) {
                continue; // for the container, not for the CLI that starts it
            }
            script.append("export ").append(variable.getKey()).append('=').append(shellQuote(variable.getValue()))
                    .append('\n');
        }
        if (launch.image() != null) {
            script.append("__dstack_job_dir=\"$PWD\"\n");
        }
        writeMpiHostfile(script, launch);
        String workingDir = shellQuote(launch.workingDir().isEmpty() ? WORK_DIR : WORK_DIR + "/" + launch.workingDir());
        // mkdir only when cd fails: it is a program, and the executor has usually made the directory already.
        script.append("{ cd ").append(workingDir).append(" 2>/dev/null || { mkdir -p ").append(workingDir)
                .append(" && cd ").append(workingDir).append("; }; } || exit 1\n");
        script.append("export DSTACK_WORKING_DIR=\"$PWD\"\n");
        // The supervisor keeps its own files private (umask 077); the job gets the usual umask.
        script.append("umask 022\n");
        String commands = joinCommands(launch.commands());
        if (launch.image() == null) {
            if (!runAs.isEmpty()) {
                script.append(RUN_AS_VARIABLE).append("=(");
                runAs.forEach(word -> script.append(' ').append(shellQuote(word)));
                script.append(" )\n");
                // Run by a supervisor that already gave up root (RUN_AS_FILE): nothing left to switch.
                script.append("[ \"$EUID\" = 0 ] || ").append(RUN_AS_VARIABLE).append("=()\n");
            }
            script.append("exec ");
            launch.prefix().forEach(word -> script.append(shellQuote(word)).append(' '));
            script.append(runAs.isEmpty() ? "" : "\"${" + RUN_AS_VARIABLE + "[@]}\" ")
                    .append(shellQuote(launch.shell())).append(" -c ").append(shellQuote(commands))
                    // the script came on stdin when the supervisor switched users: the job's stdin is /dev/null
                    .append(runAs.isEmpty() ? "" : " </dev/null").append('\n');
            return script.toString();
        }
        script.append(ContainerScript.render(launch, containerCli, gpus, commands));
        return script.toString();
    }

    /**
     * dstack's runner writes the run's MPI hostfile for every job and names it in {@code DSTACK_MPI_HOSTFILE}: here it
     * is {@value #MPI_HOSTFILE} in the job's directory (readable by a job running as a user of its own), mounted
     * read-only at {@value #CONTAINER_MPI_HOSTFILE} in a container, as dstack's is.
     */
    private static void writeMpiHostfile(StringBuilder script, JobLaunch launch) {
        if (launch.mpiHostfile() == null) {
            return;
        }
        script.append("mkdir -p -m 755 mpi && (umask 022 && printf '%s' ").append(shellQuote(launch.mpiHostfile()))
                .append(" >").append(MPI_HOSTFILE).append(") || exit 1\n");
        if (launch.image() == null) {
            script.append("export DSTACK_MPI_HOSTFILE=\"$PWD/").append(MPI_HOSTFILE).append("\"\n");
        }
    }

    public static String containerName(String jobId) {
        return CONTAINER_PREFIX + jobId;
    }

    /**
     * dstack's joining of a job's commands: each is trimmed, a trailing {@code &} is wrapped as {@code { cmd & }} so
     * the command goes to the background, and all are joined with {@code " && "}.
     */
    public static String joinCommands(List<String> commands) {
        List<String> parts = new ArrayList<>();
        for (String command : commands) {
            String trimmed = command.strip();
            parts.add(trimmed.endsWith("&") ? "{ " + trimmed + " }" : trimmed);
        }
        return String.join(" && ", parts);
    }

    /** Quotes text as one shell word (single quotes; a single quote becomes {@code '\''}). */
    public static String shellQuote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    /** The content of {@value #PID_FILE}. */
    public record PidRecord(long wrapperPid, long wrapperStartTicks, long jobProcessGroup) {}

    public static PidRecord parsePid(String content) {
        String[] fields = content.strip().split("\\s+");
        if (fields.length != 3) {
            throw new IllegalArgumentException("pid file '" + content.strip() + "' is not '<pid> <start> <pgid>'");
        }
        try {
            return new PidRecord(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pid file '" + content.strip() + "' holds a non-number", e);
        }
    }

    public static HostJobState.Exited parseExit(String content) {
        String[] fields = content.strip().split("\\s+");
        try {
            return new HostJobState.Exited(Integer.parseInt(fields[0]), Instant.ofEpochMilli(Long.parseLong(fields[1])));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("exit file '" + content.strip() + "' is not '<code> <epoch millis>'", e);
        }
    }

    /** Log records parsed from a byte range of {@value #LOG_FILE}. */
    public record ParsedLog(List<LogLine> lines, int consumedBytes) {}

    /**
     * Parses up to {@code maxLines} complete records from {@code bytes[0, length)}, which starts at a record boundary.
     * A record without its newline yet is left unconsumed. A malformed record (which the wrapper does not write) is
     * kept as a stdout line, so no output is dropped.
     */
    public static ParsedLog parseLog(byte[] bytes, int length, int maxLines) {
        List<LogLine> lines = new ArrayList<>();
        int position = 0;
        Instant previous = Instant.EPOCH;
        while (lines.size() < maxLines) {
            int newline = indexOf(bytes, position, length, (byte) '\n');
            if (newline < 0) {
                break;
            }
            LogLine line = parseRecord(bytes, position, newline, previous);
            lines.add(line);
            previous = line.timestamp();
            position = newline + 1;
        }
        return new ParsedLog(lines, position);
    }

    private static LogLine parseRecord(byte[] bytes, int start, int end, Instant previous) {
        int firstSpace = indexOf(bytes, start, end, (byte) ' ');
        if (firstSpace > start && firstSpace + 2 < end && bytes[firstSpace + 2] == ' ') {
            Long millis = parseMillis(bytes, start, firstSpace);
            LogStream stream = switch (bytes[firstSpace + 1]) {
                case 'O', 'o' -> LogStream.STDOUT;
                case 'E', 'e' -> LogStream.STDERR;
                default -> null;
            };
            if (millis != null && stream != null) {
                boolean endsLine = bytes[firstSpace + 1] == 'O' || bytes[firstSpace + 1] == 'E';
                int textStart = firstSpace + 3;
                String text = new String(bytes, textStart, end - textStart, StandardCharsets.UTF_8);
                return new LogLine(Instant.ofEpochMilli(millis), stream, text, endsLine);
            }
        }
        return new LogLine(previous, LogStream.STDOUT, new String(bytes, start, end - start, StandardCharsets.UTF_8),
                true);
    }

    private static Long parseMillis(byte[] bytes, int start, int end) {
        if (end - start > 18) {
            return null;
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            if (bytes[i] < '0' || bytes[i] > '9') {
                return null;
            }
            value = value * 10 + (bytes[i] - '0');
        }
        return value;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static String resource(String name) {
        try (InputStream in = ShellJobProtocol.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from dstack-core's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }
}
