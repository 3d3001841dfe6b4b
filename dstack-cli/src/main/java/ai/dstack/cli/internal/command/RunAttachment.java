package ai.dstack.cli.internal.command;

import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Describe;
import ai.dstack.client.DstackProject;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

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

    RunAttachment(DstackProject project, PrintWriter out, PrintWriter err) {
        this.project = project;
        this.out = out;
        this.err = err;
    }

    /** Follows the run to its end; the exit code is the job's (0 done, its exit status when failed, else 1). */
    int follow(String runName) throws InterruptedException {
        // Ctrl-C (or SIGTERM) only detaches: the run goes on, and the user is told how to come back to it.
        Thread detach = new Thread(() -> {
            err.println();
            err.println("Detached from " + runName + ". The run goes on: reattach with `dstack attach " + runName
                    + "`, see its output with `dstack logs " + runName + "`, stop it with `dstack stop " + runName + "`.");
            err.flush();
        }, "dstack-detach");
        Runtime.getRuntime().addShutdownHook(detach);
        try {
            waitWhileStarting(runName);
            // Also when it finished before we looked (e.g. a quick failure): its output is still worth seeing.
            Run run = project.followLogs(runName, event -> {
                out.print(new String(event.messageBytes(), StandardCharsets.UTF_8));
                out.flush();
            });
            out.flush();
            return finish(run);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(detach);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting; the hook runs.
            }
        }
    }

    private void waitWhileStarting(String runName) throws InterruptedException {
        RunStatus shown = null;
        while (true) {
            Run run = project.getRun(runName);
            if (run.status() != shown) {
                shown = run.status();
                err.println(runName + " " + shown.wireValue() + statusDetail(run));
                err.flush();
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
        err.println(name + " " + run.status().wireValue() + statusDetail(run));
        err.flush();
        return exitCode(run, job);
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
