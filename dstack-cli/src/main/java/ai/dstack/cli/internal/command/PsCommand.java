package ai.dstack.cli.internal.command;

import ai.dstack.api.configuration.ConfigurationType;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.offer.Resources;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Describe;
import ai.dstack.cli.internal.output.ServiceUrls;
import ai.dstack.cli.internal.output.Table;
import ai.dstack.client.DstackProject;
import ai.dstack.client.RunQuery;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Option;

/**
 * {@code dstack ps}: the project's active runs (or, if none, the latest one), newest first, one row per run and,
 * for runs of several jobs, one row per job, as dstack's table shows them. {@code -w} redraws it until Ctrl-C.
 */
@Command(name = "ps", description = "List runs: the active ones, or the latest when none is active.")
public final class PsCommand extends ClientCommand {
    /** dstack's {@code LIVE_TABLE_PROVISION_INTERVAL_SECS}. */
    static final long WATCH_INTERVAL_MILLIS = 2000;
    /** Moves the cursor home and clears the screen, so a terminal shows one table at a time. */
    private static final String CLEAR_SCREEN = "\u001b[H\u001b[2J";

    @Option(names = {"-a", "--all"}, description = "Also finished runs (the latest 100).")
    boolean all;

    @Option(names = {"-n", "--last"}, paramLabel = "N", description = "The latest N runs, finished or not.")
    Integer last;

    @Option(names = {"-v", "--verbose"}, description = "Show more information: resources, instance type, errors, a row per job.")
    boolean verbose;

    @Option(names = {"-w", "--watch"}, description = "Redraw the table every 2 seconds until Ctrl-C.")
    boolean watch;

    @Option(names = "--json", description = "Print the runs as dstack's JSON array.")
    boolean json;

    /** For scripts and tests: stop watching after this many tables. */
    @Option(names = "--watch-count", hidden = true, paramLabel = "N")
    Integer watchCount;

    @Override
    int run(DstackProject project) throws JsonProcessingException, InterruptedException {
        if (watch && json) {
            throw CliException.usage("JSON output is not supported together with --watch");
        }
        if (json) {
            out().println(DstackJson.mapper().writeValueAsString(list(project)));
            return ExitStatus.OK;
        }
        Ansi ansi = spec.commandLine().getColorScheme().ansi();
        for (int shown = 1; ; shown++) {
            List<String> lines = table(list(project), Instant.now()).lines(Terminal.width(environment()));
            if (watch) {
                // On a terminal each table replaces the last; in a pipe they follow each other.
                out().print(ansi.enabled() ? CLEAR_SCREEN : (shown > 1 ? System.lineSeparator() : ""));
            }
            // Colour only on a terminal (picocli's Ansi.AUTO decides): a bold header helps the eye, not a pipe.
            out().println(ansi.string("@|bold " + lines.get(0) + "|@"));
            lines.stream().skip(1).forEach(out()::println);
            out().flush();
            if (!watch || (watchCount != null && shown >= watchCount)) {
                return ExitStatus.OK;
            }
            Thread.sleep(WATCH_INTERVAL_MILLIS); // Ctrl-C ends the process, as in dstack
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

    /**
     * dstack's {@code get_runs_table}: a run of one job is one row; otherwise a run row, then a row per job named
     * {@code replica=R job=J} (only the parts that vary), and for services with {@code -v} the deployment.
     */
    Table table(List<Run> runs, Instant now) {
        withProbes = runs.stream().flatMap(r -> r.jobs().stream()).anyMatch(j -> !ServiceUrls.probes(j).isEmpty());
        withUrl = runs.stream().anyMatch(r -> r.service() != null);
        String serverUrl = withUrl ? serverUrl() : null;
        List<String> headers = new ArrayList<>(List.of("NAME", "BACKEND"));
        headers.addAll(verbose ? List.of("RESOURCES", "INSTANCE TYPE") : List.of("GPU"));
        headers.addAll(List.of("PRICE", "STATUS"));
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
        for (Run run : runs) {
            boolean service = run.runSpec().configuration().type() == ConfigurationType.SERVICE;
            boolean showDeployment = verbose && service;
            Set<Integer> replicas = run.jobs().stream().map(j -> j.jobSpec().replicaNum()).collect(Collectors.toSet());
            boolean showReplica = replicas.size() > 1;
            boolean showJob = run.jobs().stream().collect(Collectors.groupingBy(j -> j.jobSpec().replicaNum(),
                    Collectors.mapping(j -> j.jobSpec().jobNum(), Collectors.toSet()))).values().stream()
                    .anyMatch(nums -> nums.size() > 1);
            boolean merge = run.jobs().size() == 1 && !showDeployment;
            String runName = run.runSpec().runName() + (showDeployment ? " deployment=" + run.deploymentNum() : "");
            String runStatus = run.status().isFinished() && Describe.latestSubmission(run) != null
                    ? Describe.jobStatus(run, Describe.latestSubmission(run)) : run.statusMessage();
            String url = ServiceUrls.url(run, serverUrl);
            if (!merge) {
                table.row(row(runName, null, runStatus, "", Describe.ago(run.submittedAt(), now), run.error(), url));
            }
            List<Job> jobs = run.jobs().stream()
                    .sorted(Comparator.comparingInt((Job j) -> j.jobSpec().replicaNum()).thenComparingInt(j -> j.jobSpec().jobNum()))
                    .toList();
            for (Job job : jobs) {
                JobSubmission latest = job.latestSubmission();
                if (latest == null) {
                    continue;
                }
                if (merge) {
                    table.row(row(runName, latest.jobProvisioningData(), Describe.jobStatus(run, latest), ServiceUrls.probes(job),
                            Describe.ago(run.submittedAt(), now), run.error() != null ? run.error() : latest.error(), url));
                    continue;
                }
                List<String> parts = new ArrayList<>();
                if (showReplica) {
                    parts.add("replica=" + job.jobSpec().replicaNum());
                }
                if (showJob) {
                    parts.add("job=" + job.jobSpec().jobNum());
                }
                String name = "   " + String.join(" ", parts) + (showDeployment ? " deployment=" + latest.deploymentNum() : "");
                table.row(row(name, latest.jobProvisioningData(), Describe.jobStatus(run, latest), ServiceUrls.probes(job),
                        Describe.ago(latest.submittedAt(), now), latest.error(), null));
            }
        }
        return table;
    }

    /** Set per table: a PROBES column when some service replica has probes, a URL column when a run is a service. */
    private boolean withProbes;
    private boolean withUrl;

    private String[] row(String name, JobProvisioningData provisioning, String status, String probes, String submitted,
            String error, String url) {
        List<String> cells = new ArrayList<>(List.of(name));
        if (provisioning == null) {
            cells.addAll(verbose ? List.of("-", "-", "-", "-") : List.of("-", "-", "-"));
        } else {
            Resources resources = provisioning.instanceType().resources();
            cells.add(provisioning.backend() + " (" + provisioning.region() + ")");
            if (verbose) {
                cells.add(Describe.resources(resources));
                cells.add(provisioning.instanceType().name());
            } else {
                cells.add(Describe.gpus(resources));
            }
            cells.add(Describe.price(provisioning.price()) + (resources.spot() ? " (spot)" : ""));
        }
        cells.add(status);
        if (withProbes) {
            cells.add(probes);
        }
        cells.add(submitted);
        if (verbose) {
            cells.add(error == null ? "" : error);
        }
        if (withUrl) {
            cells.add(url == null ? "" : url);
        }
        return cells.toArray(String[]::new);
    }
}
