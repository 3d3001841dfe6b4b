package ai.dstack.cli.internal.command;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.PlanPrinter;
import ai.dstack.cli.internal.output.ServiceUrls;
import ai.dstack.cli.internal.validate.ConfigurationFileCheck;
import ai.dstack.cli.internal.validate.FileVerdict;
import ai.dstack.client.DstackProject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dstack apply -f FILE}: plans the run, shows the plan, asks, submits, and (unless {@code -d}) stays with the
 * run until it ends, exiting with the job's exit code.
 */
@Command(
        name = "apply",
        description = "Plan and submit a run configuration, then follow its output until it ends.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the run is done (or submitted, with -d)",
            "1:the run failed or was stopped, or it was not submitted",
            "2:usage error, e.g. the file cannot be read",
            "N:the job's own exit status when it failed with one"
        })
public final class ApplyCommand extends ClientCommand {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", required = true, description = "The configuration file.")
    String file;

    @Option(names = {"-y", "--yes"}, description = "Submit without asking.")
    boolean yes;

    @Option(names = {"-d", "--detach"}, description = "Return once the run is submitted.")
    boolean detach;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "The run name (default: the file's name: or a random one).")
    String name;

    @Override
    int run(DstackProject project) throws InterruptedException {
        RunConfiguration configuration = readRunConfiguration();
        RunSpec spec = RunSpec.newBuilder()
                .runName(name != null ? name : configuration.name())
                .configurationPath(file)
                .configuration(configuration)
                .build();
        RunPlan plan = project.getRunPlan(spec);
        new PlanPrinter(out(), Terminal.width(environment())).print(plan, file);
        String runName = plan.effectiveRunSpecOrRunSpec().runName();
        String shown = runName == null ? "" : " " + runName;
        if (plan.currentResource() != null && plan.currentResource().status().isActive()) {
            if (plan.action() != ApplyAction.UPDATE) {
                throw CliException.failure("the run " + runName + " is active and these changes cannot be applied to it"
                        + " in place: stop it first with `dstack stop " + runName + "`, or pick another name with --name");
            }
            // dstack updates an active run in place when only updatable fields changed (a service: rolling deployment).
            if (!yes && !Confirmation.ask(environment(), out(), "Active run " + runName
                    + " can be updated in place. Update the run?", "-y")) {
                out().println("Run not updated");
                return ExitStatus.FAILURE;
            }
            Run updated = project.applyRun(plan);
            out().println("Updated " + runName + " (deployment " + updated.deploymentNum() + ")");
            printServiceUrl(updated);
            return ExitStatus.OK;
        }
        if (!yes && !Confirmation.ask(environment(), out(), "Submit the run" + shown + "?", "-y")) {
            out().println("Run not submitted");
            return ExitStatus.FAILURE;
        }
        Run run = project.applyRun(plan);
        String submitted = run.runSpec().runName();
        out().println("Submitted " + submitted);
        out().flush();
        if (run.service() != null && !detach) {
            // dstack's CLI announces a service once it is up, then keeps following its output.
            run = awaitStarted(project, submitted);
        }
        printServiceUrl(run);
        if (detach) {
            out().println("Detached. See its output with `dstack logs " + submitted + "`, follow it with `dstack attach "
                    + submitted + "`.");
            return ExitStatus.OK;
        }
        return new RunAttachment(project, out(), err()).follow(submitted);
    }

    private static final java.util.Set<ai.dstack.api.run.RunStatus> STARTING = java.util.Set.of(
            ai.dstack.api.run.RunStatus.PENDING, ai.dstack.api.run.RunStatus.SUBMITTED, ai.dstack.api.run.RunStatus.PROVISIONING);

    private static Run awaitStarted(DstackProject project, String runName) throws InterruptedException {
        while (true) {
            Run run = project.getRun(runName);
            if (!STARTING.contains(run.status())) {
                return run;
            }
            Thread.sleep(500);
        }
    }

    private void printServiceUrl(Run run) {
        String url = ServiceUrls.url(run, serverUrl());
        if (url == null || run.status().isFinished()) {
            return;
        }
        out().println("Service is published at " + url);
        if (run.service().model() != null) {
            out().println("Model " + run.service().model().name() + " is published at "
                    + ServiceUrls.absolute(run.service().model().baseUrl(), serverUrl()));
        }
        out().flush();
    }

    /** The file's run configuration; a bad file is refused with the same lines as {@code dstack validate}. */
    private RunConfiguration readRunConfiguration() {
        FileVerdict verdict = new ConfigurationFileCheck().check(file);
        if (verdict instanceof FileVerdict.Unreadable unreadable) {
            throw CliException.usage("cannot read " + unreadable.file() + ": " + unreadable.reason());
        }
        if (verdict instanceof FileVerdict.Invalid invalid) {
            invalid.errors().forEach(err()::println);
            throw CliException.failure(file + " is not a valid configuration (" + invalid.errors().size() + " error"
                    + (invalid.errors().size() == 1 ? "" : "s") + ")");
        }
        Configuration configuration = ((FileVerdict.Valid) verdict).configuration();
        if (configuration instanceof RunConfiguration run) {
            return run;
        }
        throw CliException.failure("applying " + configuration.type().wireValue() + " configurations is not supported "
                + "yet by this CLI (" + file + "); only tasks, services and dev environments can be applied");
    }
}
