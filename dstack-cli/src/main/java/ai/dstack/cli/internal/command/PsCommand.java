package ai.dstack.cli.internal.command;

import ai.dstack.api.json.DstackJson;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Describe;
import ai.dstack.cli.internal.output.ServiceUrls;
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
        boolean withProbes = runs.stream().flatMap(r -> r.jobs().stream()).anyMatch(j -> !ServiceUrls.probes(j).isEmpty());
        boolean withUrl = runs.stream().anyMatch(r -> r.service() != null);
        List<String> headers = new java.util.ArrayList<>(List.of("NAME", "BACKEND", "RESOURCES", "PRICE", "STATUS"));
        if (withProbes) {
            headers.add("PROBES");
        }
        headers.add("SUBMITTED");
        if (verbose) {
            headers.add("ERROR");
        }
        if (withUrl) {
            headers.add("URL");
        }
        Table table = new Table(headers.toArray(String[]::new));
        String serverUrl = withUrl ? serverUrl() : null;
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
            List<String> row = new java.util.ArrayList<>(List.of(run.runSpec().runName(), backend, resources, price, status));
            addColumns(row, withProbes, "", submitted, verbose, run.error(), withUrl, ServiceUrls.url(run, serverUrl));
            table.row(row.toArray(String[]::new));
            if (run.service() != null && run.jobs().size() > 1) {
                replicaRows(table, run, now, withProbes, withUrl);
            }
        }
        // Colour only on a terminal (picocli's Ansi.AUTO decides): a bold header helps the eye, not a pipe.
        List<String> lines = table.lines(Terminal.width(environment()));
        out().println(ansi.string("@|bold " + lines.get(0) + "|@"));
        lines.stream().skip(1).forEach(out()::println);
        return ExitStatus.OK;
    }

    /** dstack's replica rows of a service: one per replica, with its deployment while one rolls out, and probes. */
    private void replicaRows(Table table, Run run, Instant now, boolean withProbes, boolean withUrl) {
        boolean rolling = run.jobs().stream().map(j -> j.latestSubmission().deploymentNum()).distinct().count() > 1;
        for (ai.dstack.api.run.Job job : run.jobs()) {
            JobSubmission latest = job.latestSubmission();
            String name = "  replica=" + job.jobSpec().replicaNum() + (rolling ? " deployment=" + latest.deploymentNum() : "");
            List<String> row = new java.util.ArrayList<>(List.of(name, "", "", "", latest.statusMessage()));
            addColumns(row, withProbes, ServiceUrls.probes(job), Describe.ago(latest.submittedAt(), now), verbose,
                    latest.error(), withUrl, null);
            table.row(row.toArray(String[]::new));
        }
    }

    private static void addColumns(List<String> row, boolean withProbes, String probes, String submitted, boolean verbose,
            String error, boolean withUrl, String url) {
        if (withProbes) {
            row.add(probes);
        }
        row.add(submitted);
        if (verbose) {
            row.add(error == null ? "" : error);
        }
        if (withUrl) {
            row.add(url == null ? "" : url);
        }
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
