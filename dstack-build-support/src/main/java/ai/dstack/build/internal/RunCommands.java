package ai.dstack.build.internal;

import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.offer.Resources;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.DstackProject;
import ai.dstack.client.RunPlanRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** The plugins' listing and control tasks: stop, logs, ps and offer, printing to the build's log. */
public final class RunCommands {
    /** dstack's default task, as {@code dstack offer} plans it without filters. */
    private static final String ANY_TASK = "type: task\ncommands: [':']\nresources: {cpu: '1..', memory: '0GB..'}\n";

    private final DstackProject project;
    private final Consumer<String> out;

    public RunCommands(DstackProject project, Consumer<String> out) {
        this.project = project;
        this.out = out;
    }

    /** Stops runs gracefully (or aborts them), as {@code dstack stop [--abort]}. */
    public void stop(List<String> runNames, boolean abort) {
        if (runNames.isEmpty()) {
            throw new DstackBuildException("dstack stop: no run named; set runName (-Ddstack.runName=NAME)");
        }
        project.stopRuns(runNames, abort);
        out.accept((abort ? "Aborted " : "Stopping ") + String.join(", ", runNames));
    }

    /**
     * The output of job 0 of replica 0, as {@code dstack logs RUN}; with {@code follow}, keeps following until the
     * run ends, as {@code dstack logs -f}.
     */
    public void logs(String runName, boolean follow) throws InterruptedException {
        if (runName == null || runName.isBlank()) {
            throw new DstackBuildException("dstack logs: no run named; set runName (-Ddstack.runName=NAME)");
        }
        LineSink lines = new LineSink(out);
        if (follow) {
            project.followLogs(runName, event -> lines.accept(event.messageBytes()));
            lines.flush();
            return;
        }
        Run run = project.getRun(runName);
        Job job = run.jobs().stream()
                .filter(j -> j.jobSpec().replicaNum() == 0 && j.jobSpec().jobNum() == 0)
                .findFirst().orElse(null);
        if (job == null || job.latestSubmission() == null) {
            out.accept("Run " + runName + " has no output yet");
            return;
        }
        PollLogsRequest request = PollLogsRequest.newBuilder(runName, job.latestSubmission().id())
                .limit(PollLogsRequest.MAX_LIMIT).build();
        while (true) {
            JobSubmissionLogs page = project.pollLogs(request);
            for (LogEvent event : page.logs()) {
                lines.accept(event.messageBytes());
            }
            if (page.nextToken() == null) {
                break;
            }
            request = request.withNextToken(page.nextToken());
        }
        lines.flush();
    }

    /** The project's runs, newest first, as {@code dstack ps} (all of them with {@code all}, else the active ones). */
    public List<Run> ps(boolean all) {
        List<Run> runs = project.listRuns().stream()
                .filter(run -> !Boolean.TRUE.equals(run.deleted()))
                .filter(run -> all || !run.status().isFinished())
                .toList();
        out.accept(String.format(Locale.ROOT, "%-24s %-12s %s", "NAME", "STATUS", "SUBMITTED"));
        for (Run run : runs) {
            out.accept(String.format(Locale.ROOT, "%-24s %-12s %s", run.runSpec().runName(),
                    run.status().wireValue(), run.submittedAt()));
        }
        if (runs.isEmpty()) {
            out.accept(all ? "No runs" : "No active runs (all=true lists finished ones too)");
        }
        return runs;
    }

    /**
     * The offers for {@code file}'s resources (or for any task when null), as {@code dstack offer}.
     *
     * @return the offers listed
     */
    public List<InstanceOfferWithAvailability> offers(Path file, String shownAs, int maxOffers) {
        RunConfiguration configuration = file == null
                ? DstackYaml.parse(ANY_TASK, "dstack offer", TaskConfiguration.class)
                : runConfiguration(file, shownAs);
        RunSpec spec = RunSpec.newBuilder().configuration(configuration).build();
        RunPlan plan = project.getRunPlan(RunPlanRequest.newBuilder(spec).forOffersOnly(true).maxOffers(maxOffers).build());
        List<InstanceOfferWithAvailability> offers = plan.jobPlans().isEmpty() ? List.of() : plan.jobPlans().get(0).offers();
        if (offers.isEmpty()) {
            out.accept("No offers");
            return offers;
        }
        out.accept(String.format(Locale.ROOT, "%3s  %-8s %-12s %-32s %-5s %s", "#", "BACKEND", "REGION", "RESOURCES", "SPOT", "PRICE"));
        int n = 0;
        for (InstanceOfferWithAvailability offer : offers) {
            Resources resources = offer.instance().resources();
            out.accept(String.format(Locale.ROOT, "%3d  %-8s %-12s %-32s %-5s $%s", ++n, offer.backend(), offer.region(),
                    describe(resources), resources.spot() ? "yes" : "no", price(offer.price())));
        }
        return offers;
    }

    private static RunConfiguration runConfiguration(Path file, String shownAs) {
        if (ConfigurationFiles.read(file, shownAs) instanceof RunConfiguration run) {
            return run;
        }
        throw new DstackBuildException(shownAs + " is not a run configuration; offers are planned for tasks,"
                + " services and dev environments");
    }

    private static String describe(Resources resources) {
        if (!resources.description().isBlank()) {
            return resources.description();
        }
        String gpus = resources.gpus().isEmpty() ? "" : ", " + resources.gpus().size() + "xGPU";
        return resources.cpus() + "xCPU, " + String.format(Locale.ROOT, "%.1fGB", resources.memoryMib() / 1024.0) + gpus;
    }

    private static String price(double price) {
        return price == Math.rint(price) ? String.valueOf((long) price) : String.valueOf(price);
    }
}
