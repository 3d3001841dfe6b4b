package ai.dstack.core.internal.host;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.ShellJobProtocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's one long-lived helper process, {@link ShellJobProtocol#spawnerScript()} run by perl: it forks a
 * supervisor per job and signals jobs without starting a program per request, where a launch through
 * {@link ShellJobProtocol#launcherScript()} starts half a dozen. Started on first use and again after it ends; many
 * threads' requests are in flight at once, the replies matched to them by request id.
 */
final class JobSpawner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobSpawner.class);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);
    /** How long a start whose spawner ended meanwhile waits for the supervisor it may have forked. */
    private static final Duration ORPHANED_START_WAIT = Duration.ofSeconds(2);

    /** A reply: {@code ok} and its text, or the reason the request failed on the host. */
    private record Reply(boolean ok, String text) {}

    /** No spawner can run here (no perl, or it would not start): use the per-job launch. */
    private static final class UnavailableException extends Exception {
        UnavailableException(String message) {
            super(message);
        }
    }

    /**
     * The spawner ended (or was found dead) with the request in flight. {@code delivered} is false when it surely never
     * read the request, so sending it again cannot do it twice.
     */
    private static final class EndedException extends Exception {
        final boolean delivered;

        EndedException(String message, boolean delivered) {
            super(message);
            this.delivered = delivered;
        }
    }

    /** Job ids the spawner takes: those {@link ai.dstack.spi.host.JobLaunch} allows. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    private final Path root;
    private final ProcessRunner runner;
    private final AtomicLong requestIds = new AtomicLong();
    private final Object lifecycle = new Object();
    private Session session;
    private String unavailable;
    private boolean closed;

    JobSpawner(Path root, ProcessRunner runner) {
        this.root = root;
        this.runner = runner;
        if (!runner.isOnPath("perl")) {
            unavailable = "there is no 'perl' on PATH";
        } else if ("bash".equals(runner.environment().get("DSTACK_JOB_LOGGER"))) {
            unavailable = "DSTACK_JOB_LOGGER=bash asks for the bash logger of job-wrapper.sh";
        } else if (root.toString().contains("\n")) {
            unavailable = "the jobs directory's name has a line break";
        }
    }

    /**
     * Starts the job whose directory {@code dir} the executor has prepared and returns its pid file's line once the
     * job leads its own session, or empty when there is no spawner on this host.
     *
     * @throws HostExecutionException when the job could not start; the message says why
     */
    Optional<String> start(String jobId, Path dir) {
        for (int attempt = 1; ; attempt++) {
            try {
                Reply reply = request("start " + jobId, START_TIMEOUT);
                if (!reply.ok()) {
                    throw new HostExecutionException(ErrorCode.ERROR,
                            "job " + jobId + " could not start on this host: " + reply.text());
                }
                return Optional.of(reply.text());
            } catch (UnavailableException e) {
                return Optional.empty();
            } catch (EndedException e) {
                if (!e.delivered && attempt == 1) {
                    continue; // it never read the request: the next spawner does it, once
                }
                // It may have forked the job's supervisor before it ended, which then finishes the start alone.
                return Optional.of(awaitPidFile(jobId, dir).orElseThrow(() -> new HostExecutionException(
                        ErrorCode.ERROR, "job " + jobId + " could not start on this host: " + e.getMessage())));
            } catch (TimeoutException e) {
                throw new HostExecutionException(ErrorCode.ERROR, "job " + jobId + " could not start on this host:"
                        + " the job spawner did not answer within " + START_TIMEOUT.toSeconds() + " s");
            }
        }
    }

    private static Optional<String> awaitPidFile(String jobId, Path dir) {
        long deadline = System.nanoTime() + ORPHANED_START_WAIT.toNanos();
        while (true) {
            Optional<String> pid = LocalHostExecutor.readOptional(dir.resolve(ShellJobProtocol.PID_FILE))
                    .filter(line -> line.endsWith("\n"));
            if (pid.isPresent() || System.nanoTime() > deadline) {
                return pid.map(String::strip);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HostExecutionException(ErrorCode.ERROR, "interrupted while starting job " + jobId);
            }
        }
    }

    /**
     * Signals the job ({@code graceMillis} 0: SIGKILL; else SIGTERM, and SIGKILL after the grace period from a timer
     * that outlives the spawner) and returns what it did, or empty when there is no spawner on this host or it cannot
     * name the job.
     *
     * @throws HostExecutionException when the job could not be signalled
     */
    Optional<String> signal(String jobId, long graceMillis) {
        if (!JOB_ID.matcher(jobId).matches()) {
            return Optional.empty();
        }
        for (int attempt = 1; ; attempt++) {
            try {
                Reply reply = request("signal " + jobId + " " + graceMillis, SIGNAL_TIMEOUT);
                if (!reply.ok()) {
                    throw new HostExecutionException(ErrorCode.ERROR, "cannot signal job " + jobId + ": "
                            + reply.text());
                }
                return Optional.of(reply.text());
            } catch (UnavailableException e) {
                return Optional.empty();
            } catch (EndedException e) {
                if (attempt == 2) { // signalling twice does no harm, so once more with a new spawner
                    throw new HostExecutionException(ErrorCode.ERROR, "cannot signal job " + jobId + ": "
                            + e.getMessage());
                }
            } catch (TimeoutException e) {
                throw new HostExecutionException(ErrorCode.ERROR, "cannot signal job " + jobId
                        + ": the job spawner did not answer within " + SIGNAL_TIMEOUT.toSeconds() + " s");
            }
        }
    }

    /**
     * Sends {@code request} ({@code start <job id>} or {@code signal <job id> <grace millis>}) and waits for its reply.
     *
     * @throws UnavailableException when there is no spawner on this host (then there never will be)
     * @throws EndedException when the spawner ended before replying; the next request starts a new one
     * @throws TimeoutException when no reply came in time; the spawner is stopped, the next request starts a new one
     */
    private Reply request(String request, Duration timeout) throws UnavailableException, EndedException, TimeoutException {
        Session current = session();
        long id = requestIds.incrementAndGet();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        current.pending.put(id, reply);
        if (current.ended) { // the reader may have failed the pending requests before this one was added
            current.pending.remove(id);
            throw new EndedException("the job spawner (pid " + current.pid() + ") has ended", false);
        }
        try {
            current.send(id + " " + request + "\n");
        } catch (IOException e) {
            current.pending.remove(id);
            current.end();
            throw new EndedException("the job spawner (pid " + current.pid() + ") stopped reading: " + e.getMessage(),
                    false);
        }
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new EndedException(e.getCause().getMessage(), true);
        } catch (TimeoutException e) {
            current.pending.remove(id);
            LOG.warn("The job spawner (pid {}) did not answer '{}' within {} ms; starting a new one for the next request",
                    current.pid(), request, timeout.toMillis());
            current.process.destroyForcibly();
            throw e;
        } catch (InterruptedException e) {
            current.pending.remove(id);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the job spawner to answer '" + request + "'",
                    e);
        }
    }

    /** The spawner's pid, if one runs. */
    long pid() {
        synchronized (lifecycle) {
            return session == null || session.ended ? -1 : session.pid();
        }
    }

    private Session session() throws UnavailableException {
        synchronized (lifecycle) {
            if (closed) {
                throw new UnavailableException("the executor is closed");
            }
            if (unavailable != null) {
                throw new UnavailableException(unavailable);
            }
            if (session != null && !session.ended) {
                return session;
            }
            if (session != null) {
                LOG.info("The job spawner (pid {}) has ended; starting a new one", session.pid());
            }
            try {
                session = startSession();
                return session;
            } catch (IOException e) {
                unavailable = e.getMessage();
                LOG.warn("Cannot run the job spawner, so every job start runs a launcher script instead (slower): {}",
                        unavailable);
                throw new UnavailableException(unavailable);
            }
        }
    }

    private Session startSession() throws IOException {
        Path script = root.resolve(ShellJobProtocol.SPAWNER_SCRIPT);
        Path written = Files.createTempFile(root, ".job-spawner-", ".tmp");
        Files.writeString(written, ShellJobProtocol.spawnerScript());
        Files.move(written, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path log = root.resolve(ShellJobProtocol.SPAWNER_LOG);
        ProcessBuilder builder = new ProcessBuilder(runner.which("perl").orElseThrow().toString(), script.toString(),
                root.toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(runner.environment()); // the jobs' environment: they inherit it from here
        Process process = builder.start();
        Session started = new Session(process);
        Thread reader = new Thread(started::readReplies, "dstack-job-spawner-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            started.ready.get(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            String cause = e instanceof TimeoutException ? "it did not answer within "
                    + HANDSHAKE_TIMEOUT.toSeconds() + " s" : e.getCause().getMessage();
            throw new IOException("the job spawner (" + script + ") did not start: " + cause + lastLines(log));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the job spawner", e);
        }
        LOG.debug("Started the job spawner (pid {}) for {}", process.pid(), root);
        return started;
    }

    private static String lastLines(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "" : "; it said: " + text.substring(Math.max(0, text.length() - 1000));
        } catch (IOException e) {
            return "";
        }
    }

    /** Ends the spawner (it exits when its input ends); jobs and their supervisors keep running. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            closed = true;
            if (session != null) {
                session.end();
            }
        }
    }

    /** One spawner process and the requests waiting for its replies. */
    private static final class Session {
        final Process process;
        final OutputStream input;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        final Map<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
        volatile boolean ended;

        Session(Process process) {
            this.process = process;
            this.input = process.getOutputStream();
        }

        long pid() {
            return process.pid();
        }

        synchronized void send(String line) throws IOException {
            input.write(line.getBytes(StandardCharsets.UTF_8));
            input.flush();
        }

        void readReplies() {
            try (BufferedReader output = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String hello = output.readLine();
                if (hello == null || !hello.startsWith("dstack-job-spawner 1 ")) {
                    ready.completeExceptionally(new IOException(hello == null ? "it ended at once"
                            : "it greeted with '" + hello + "' instead of 'dstack-job-spawner 1 <pid>'"));
                    return;
                }
                ready.complete(null);
                for (String line; (line = output.readLine()) != null; ) {
                    complete(line);
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            } finally {
                end();
            }
        }

        private void complete(String line) {
            String[] fields = line.split(" ", 3);
            CompletableFuture<Reply> reply;
            try {
                reply = fields.length == 3 ? pending.remove(Long.parseLong(fields[0])) : null;
            } catch (NumberFormatException e) {
                reply = null;
            }
            if (reply == null) {
                LOG.warn("The job spawner (pid {}) said '{}', which answers no request", pid(), line);
                return;
            }
            reply.complete(new Reply(fields[1].equals("ok"), fields[2]));
        }

        /** Closes the spawner's input, which ends it, and fails the requests that wait for it. */
        void end() {
            ended = true;
            synchronized (this) {
                try {
                    input.close();
                } catch (IOException e) {
                    LOG.debug("Closing the input of the job spawner (pid {}) failed", pid(), e);
                }
            }
            String how = process.isAlive() ? "" : " with exit code " + process.exitValue();
            EndedException reason = new EndedException("the job spawner (pid " + pid() + ") ended" + how, true);
            pending.values().forEach(reply -> reply.completeExceptionally(reason));
            pending.clear();
        }
    }
}
