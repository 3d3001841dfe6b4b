package ai.dstack.cli.internal.command;

import ai.dstack.api.configuration.DevEnvironmentConfiguration;
import ai.dstack.api.run.JobConnectionInfo;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.ssh.RunConnection;
import ai.dstack.cli.internal.output.Describe;
import ai.dstack.client.DstackProject;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Staying with a run until it ends, as {@code dstack apply} (attached) and {@code dstack attach} do: status lines
 * while it is being provisioned, then the job's output, then the final status. Job output goes to stdout, our own
 * lines to stderr, so that {@code dstack apply ... > out.txt} keeps exactly what the job printed.
 */
final class RunAttachment {
    private static final Set<RunStatus> STARTING = Set.of(RunStatus.PENDING, RunStatus.SUBMITTED, RunStatus.PROVISIONING);
    private static final Duration STATUS_POLL = Duration.ofMillis(500);

    private final DstackProject project;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CliEnvironment environment;
    private final RunConnection.Options ssh;
    private final boolean askToStop;
    private volatile RunConnection connection;
    private String lastStatusLine;

    /**
     * @param environment where {@code ~/.dstack/ssh} is; with it, a running job the server offers over SSH gets a
     *     host entry ({@code ssh <run>}) and its ports forwarded while attached
     * @param askToStop whether Ctrl-C at a terminal asks to stop the run before detaching (an apply without -y)
     */
    RunAttachment(DstackProject project, PrintWriter out, PrintWriter err, CliEnvironment environment,
            RunConnection.Options ssh, boolean askToStop) {
        this.project = project;
        this.out = out;
        this.err = err;
        this.environment = environment;
        this.ssh = ssh;
        this.askToStop = askToStop && environment != null && environment.terminal();
    }

    /** Follows the run to its end; the exit code is the job's (0 done, its exit status when failed, else 1). */
    int follow(String runName) throws InterruptedException {
        // Ctrl-C (or SIGTERM) detaches: the run goes on, and the user is told how to come back to it. At a terminal
        // an apply without -y first asks whether to stop the run, as dstack does.
        Thread detach = new Thread(() -> {
            err.println();
            closeConnection();
            if (askToStop && stopBeforeDetaching(runName)) {
                return;
            }
            err.println("Detached from " + runName + ". The run goes on: reattach with `dstack attach " + runName
                    + "`, see its output with `dstack logs " + runName + "`, stop it with `dstack stop " + runName + "`.");
            err.flush();
        }, "dstack-detach");
        Runtime.getRuntime().addShutdownHook(detach);
        try {
            waitWhileStarting(runName);
            connect(runName);
            // Also when it finished before we looked (e.g. a quick failure): its output is still worth seeing.
            Run run = project.followLogs(runName, event -> {
                out.print(new String(event.messageBytes(), StandardCharsets.UTF_8));
                out.flush();
            });
            out.flush();
            return finish(run);
        } finally {
            closeConnection();
            try {
                Runtime.getRuntime().removeShutdownHook(detach);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting and the hook runs: it may be stopping the run with this client, whose end let the
                // logs above return. The caller closes the client once we return, so wait for the hook first.
                detach.join();
            }
        }
    }

    /** Asks whether to stop the run; on yes, stops it gracefully and waits until it has ended. */
    private boolean stopBeforeDetaching(String runName) {
        try {
            if (project.getRun(runName).status().isFinished()
                    || !Confirmation.ask(environment, err, "Stop the run " + runName + " before detaching?", "-y")) {
                return false;
            }
            err.println("Stopping...");
            err.flush();
            project.stopRuns(List.of(runName), false);
            while (!project.getRun(runName).status().isFinished()) {
                Thread.sleep(STATUS_POLL.toMillis());
            }
            err.println("Stopped");
            err.flush();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) { // no answer, or the server is gone: detach as without the question
            err.println(e.getMessage());
            return false;
        }
    }

    /** Attaches over SSH to a running job when the server offers it, and says how to reach it. */
    private void connect(String runName) {
        Run run = project.getRun(runName);
        if (environment == null || run.status() != RunStatus.RUNNING) {
            return;
        }
        Optional<RunConnection> opened;
        try {
            opened = RunConnection.open(environment, project.client(), run, ssh);
        } catch (RuntimeException e) {
            // A short job may end between "running" and the log-in; the logs still come either way.
            if (project.getRun(runName).status() == RunStatus.RUNNING) {
                err.println("Warning: " + e.getMessage() + "; following the run's logs without SSH");
            }
            return;
        }
        if (opened.isEmpty()) {
            return;
        }
        connection = opened.get();
        if (!connection.sshConfigIncluded()) {
            Path sshConfig = environment.home().resolve(".ssh").resolve("config");
            err.println("Couldn't update `" + sshConfig + "`: `ssh " + connection.hostAlias() + "` and IDE links won't"
                    + " work. Add `Include " + environment.home().resolve(".dstack").resolve("ssh").resolve("config")
                    + "` to the top of `" + sshConfig + "`.");
        }
        printConnectionInfo(run);
        String bind = ssh.bindHost() == null ? "localhost" : ssh.bindHost();
        StringBuilder message = new StringBuilder("Attached to run " + runName + " (replica=0 job=0)\n");
        if (!connection.forwardedPorts().isEmpty()) {
            message.append("Forwarded ports (local -> remote):\n");
            connection.forwardedPorts().forEach((remote, local) ->
                    message.append("  - ").append(bind).append(':').append(local).append(" -> ").append(remote).append('\n'));
        }
        message.append("To connect to the run via SSH, use `ssh ").append(connection.hostAlias()).append("`.\n");
        if (connection.onThisMachine() && !connection.forwardedPorts().isEmpty()) {
            message.append("The run is on this machine: its ports are also open here as they are (e.g. http://localhost:")
                    .append(connection.forwardedPorts().keySet().iterator().next()).append("/).\n");
        }
        message.append("Press Ctrl+C to detach...");
        err.println(message);
        err.flush();
    }

    /**
     * With {@code DSTACK_FF_CLI_PRINT_JOB_CONNECTION_INFO} set, dstack prints what the server says about reaching a
     * dev environment (otherwise the environment's own output shows its IDE link and SSH command).
     */
    private void printConnectionInfo(Run run) {
        if (environment.get("DSTACK_FF_CLI_PRINT_JOB_CONNECTION_INFO") == null
                || !(run.runSpec().configuration() instanceof DevEnvironmentConfiguration) || run.jobs().isEmpty()) {
            return;
        }
        JobConnectionInfo info = run.jobs().get(0).jobConnectionInfo();
        if (info == null) {
            return;
        }
        if (info.ideName() != null) {
            List<String> urls = new ArrayList<>();
            Stream.of(info.attachedIdeUrl(), info.proxiedIdeUrl()).filter(u -> u != null).forEach(urls::add);
            if (!urls.isEmpty()) {
                err.println("To open in " + info.ideName() + ", use link" + (urls.size() > 1 ? "s" : "") + " below:\n");
                urls.forEach(url -> err.println("  " + url + "\n"));
            }
        }
        List<String> commands = new ArrayList<>();
        Stream.of(info.attachedSshCommand(), info.proxiedSshCommand()).filter(c -> c != null)
                .forEach(c -> commands.add(String.join(" ", c)));
        if (!commands.isEmpty()) {
            err.println("To connect via SSH, use: " + String.join(" or ", commands) + "\n");
        }
        err.println();
    }

    private void closeConnection() {
        RunConnection open = connection;
        connection = null;
        if (open != null) {
            open.close();
        }
    }

    private void waitWhileStarting(String runName) throws InterruptedException {
        RunStatus shown = null;
        while (true) {
            Run run = project.getRun(runName);
            if (run.status() != shown) {
                shown = run.status();
                printStatus(runName + " " + shown.wireValue() + statusDetail(run));
            }
            if (!STARTING.contains(run.status())) {
                return;
            }
            Thread.sleep(STATUS_POLL.toMillis());
        }
    }

    private int finish(Run run) {
        JobSubmission job = Describe.latestSubmission(run);
        String name = run.runSpec().runName();
        printStatus(name + " " + run.status().wireValue() + statusDetail(run));
        return exitCode(run, job);
    }

    /** A status line, unless it is the one shown last (a short run is already finished when first looked at). */
    private void printStatus(String line) {
        if (!line.equals(lastStatusLine)) {
            lastStatusLine = line;
            err.println(line);
            err.flush();
        }
    }

    static int exitCode(Run run, JobSubmission job) {
        if (run.status() == RunStatus.DONE) {
            return ExitStatus.OK;
        }
        if (run.status() == RunStatus.FAILED && job != null && job.exitStatus() != null && job.exitStatus() != 0) {
            return job.exitStatus();
        }
        return ExitStatus.FAILURE;
    }

    private static String statusDetail(Run run) {
        JobSubmission job = Describe.latestSubmission(run);
        StringBuilder detail = new StringBuilder();
        if (run.status().isFinished() && job != null && job.exitStatus() != null) {
            detail.append(" (exit status ").append(job.exitStatus()).append(')');
        }
        String message = run.error() != null && !run.error().isBlank() ? run.error()
                : job != null && job.terminationReasonMessage() != null ? job.terminationReasonMessage() : null;
        if (run.status().isFinished() && run.status() != RunStatus.DONE && message != null && !message.isBlank()) {
            detail.append(": ").append(message);
        }
        return detail.toString();
    }
}
