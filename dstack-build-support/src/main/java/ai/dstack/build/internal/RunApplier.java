package ai.dstack.build.internal;

import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.client.DstackProject;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * {@code dstackApply} / {@code dstack:apply}: submits a run configuration like {@code dstack apply -y}, then follows
 * the run's output into the build's log until it ends, and fails the build unless it ended {@code done}.
 */
public final class RunApplier {
    private final DstackProject project;
    private final Consumer<String> out;

    /** @param out the build's log, one line per call */
    public RunApplier(DstackProject project, Consumer<String> out) {
        this.project = project;
        this.out = out;
    }

    /**
     * @param file the configuration file
     * @param shownAs how messages name it
     * @param runName the run name, or null for the file's {@code name:} or a generated one
     * @param detach return once submitted instead of following the run
     * @return the run as it ended (or as submitted, detached)
     * @throws DstackBuildException when the file is invalid or not a run, a run of that name is active, or the
     *     run did not end {@code done}
     * @throws InterruptedException when the build is cancelled while following
     */
    public Run apply(Path file, String shownAs, String runName, boolean detach) throws InterruptedException {
        Configuration read = ConfigurationFiles.read(file, shownAs);
        if (!(read instanceof RunConfiguration configuration)) {
            throw new DstackBuildException(shownAs + " is a " + read.type().wireValue() + " configuration; only tasks,"
                    + " services and dev environments can be applied from a build (use `dstack apply` for the rest)");
        }
        if (!configuration.base().files().isEmpty()) {
            throw new DstackBuildException(shownAs + ": `files` is not supported when applying from a build yet;"
                    + " use `dstack apply -f " + shownAs + "`");
        }
        RunSpec spec = RunSpec.newBuilder()
                .runName(runName != null ? runName : configuration.name())
                .configurationPath(shownAs)
                .configuration(configuration)
                .build();
        RunPlan plan = project.getRunPlan(spec);
        Run current = plan.currentResource();
        String name = plan.effectiveRunSpecOrRunSpec().runName();
        if (current != null && !current.status().isFinished()) {
            throw new DstackBuildException("Run " + name + " is already " + current.status().wireValue()
                    + "; stop it first (dstackStop / dstack:stop) or apply with another run name");
        }
        Run run = project.applyRun(plan);
        String submitted = run.runSpec().runName();
        out.accept("Submitted " + submitted + " to project " + project.name());
        if (detach) {
            out.accept("Detached. Follow it with `dstack attach " + submitted + "`, or run dstackLogs / dstack:logs.");
            return run;
        }
        LineSink lines = new LineSink(out);
        Run ended = project.followLogs(submitted, event -> lines.accept(event.messageBytes()));
        lines.flush();
        return checkDone(ended);
    }

    /** The run when it ended {@code done}; else a failure saying how it ended. */
    static Run checkDone(Run run) {
        String name = run.runSpec().runName();
        if (run.status() == RunStatus.DONE) {
            return run;
        }
        StringBuilder message = new StringBuilder("Run ").append(name).append(" ended ").append(run.status().wireValue());
        if (run.terminationReason() != null) {
            message.append(" (").append(run.terminationReason()).append(')');
        }
        JobSubmission job = run.latestJobSubmission();
        if (job != null && job.exitStatus() != null) {
            message.append(", exit status ").append(job.exitStatus());
        }
        if (job != null && job.terminationReasonMessage() != null && !job.terminationReasonMessage().isBlank()) {
            message.append(": ").append(job.terminationReasonMessage());
        }
        throw new DstackBuildException(message.toString());
    }
}
