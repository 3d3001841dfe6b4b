package ai.dstack.cli.internal.command;

import ai.dstack.api.json.DstackJson;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Describe;
import ai.dstack.cli.internal.output.Table;
import ai.dstack.client.DstackProject;
import ai.dstack.client.RunQuery;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Option;

/** {@code dstack ps}: the project's active runs (or, if none, the latest one), newest first. */
@Command(name = "ps", description = "List runs: the active ones, or the latest when none is active.")
public final class PsCommand extends ClientCommand {
    @Option(names = {"-a", "--all"}, description = "Also finished runs (the latest 100).")
    boolean all;

    @Option(names = "--last", paramLabel = "N", description = "The latest N runs, finished or not.")
    Integer last;

    @Option(names = {"-v", "--verbose"}, description = "Also the run's error, when it has one.")
    boolean verbose;

    @Option(names = "--json", description = "Print the runs as dstack's JSON array.")
    boolean json;

    @Override
    int run(DstackProject project) throws JsonProcessingException {
        List<Run> runs = list(project);
        if (json) {
            out().println(DstackJson.mapper().writeValueAsString(runs));
            return ExitStatus.OK;
        }
        Table table = verbose
                ? new Table("NAME", "BACKEND", "RESOURCES", "PRICE", "STATUS", "SUBMITTED", "ERROR")
                : new Table("NAME", "BACKEND", "RESOURCES", "PRICE", "STATUS", "SUBMITTED");
        Instant now = Instant.now();
        Ansi ansi = spec.commandLine().getColorScheme().ansi();
        for (Run run : runs) {
            String backend = Describe.provisioned(run, job -> job.jobProvisioningData().backend()
                    + " (" + job.jobProvisioningData().region() + ")");
            String resources = Describe.provisioned(run,
                    job -> Describe.resources(job.jobProvisioningData().instanceType().resources()));
            String price = Describe.provisioned(run, job -> Describe.price(job.jobProvisioningData().price()));
            String status = status(run);
            String submitted = Describe.ago(run.submittedAt(), now);
            if (verbose) {
                table.row(run.runSpec().runName(), backend, resources, price, status, submitted,
                        run.error() == null ? "" : run.error());
            } else {
                table.row(run.runSpec().runName(), backend, resources, price, status, submitted);
            }
        }
        // Colour only on a terminal (picocli's Ansi.AUTO decides): a bold header helps the eye, not a pipe.
        List<String> lines = table.lines(Terminal.width(environment()));
        out().println(ansi.string("@|bold " + lines.get(0) + "|@"));
        lines.stream().skip(1).forEach(out()::println);
        return ExitStatus.OK;
    }

    /** dstack's rules: active runs, else the latest one; -a all (100), --last N the latest N. */
    private List<Run> list(DstackProject project) {
        RunQuery.Builder query = RunQuery.newBuilder().projectName(project.name()).includeJobs(true).jobSubmissionsLimit(1);
        if (last != null) {
            return project.listRuns(query.onlyActive(false).limit(Math.max(1, Math.min(last, RunQuery.MAX_LIMIT))).build());
        }
        if (all) {
            return project.listRuns(query.onlyActive(false).limit(RunQuery.MAX_LIMIT).build());
        }
        List<Run> active = project.listRuns(query.onlyActive(true).limit(RunQuery.MAX_LIMIT).build());
        return active.isEmpty() ? project.listRuns(query.onlyActive(false).limit(1).build()) : active;
    }

    private static String status(Run run) {
        JobSubmission job = Describe.latestSubmission(run);
        String status = run.status().wireValue();
        if (run.status() == ai.dstack.api.run.RunStatus.FAILED && job != null && job.exitStatus() != null) {
            return status + " (" + job.exitStatus() + ")";
        }
        return status;
    }
}
