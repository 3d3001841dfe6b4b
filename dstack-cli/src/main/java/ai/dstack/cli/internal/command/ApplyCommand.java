package ai.dstack.cli.internal.command;

import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.PlanPrinter;
import ai.dstack.cli.internal.validate.ConfigurationFileCheck;
import ai.dstack.cli.internal.validate.FileVerdict;
import ai.dstack.client.DstackProject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dstack apply -f FILE}: plans the run, shows the plan, asks, submits, and (unless {@code -d}) stays with the
 * run until it ends, exiting with the job's exit code. A fleet file is planned, applied and waited for by
 * {@link FleetApplication}.
 */
@Command(
        name = "apply",
        description = "Plan and submit a run configuration, then follow its output until it ends; or apply an SSH"
                + " fleet and wait until its hosts are up.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the run is done (or submitted, with -d); the fleet's hosts are up",
            "1:the run failed or was stopped, or it was not submitted; a fleet host is not up",
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
        Configuration read = readConfiguration();
        if (read instanceof FleetConfiguration fleet) {
            return new FleetApplication(project, environment(), out()).apply(fleet, file, yes, detach);
        }
        if (!(read instanceof RunConfiguration configuration)) {
            throw CliException.failure("applying " + read.type().wireValue() + " configurations is not supported "
                    + "yet by this CLI (" + file + "); only tasks, services, dev environments and SSH fleets can be"
                    + " applied");
        }
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
            throw CliException.failure("the run " + runName + " is active: stop it first with `dstack stop " + runName
                    + "`, or pick another name with --name");
        }
        if (!yes && !Confirmation.ask(environment(), out(), "Submit the run" + shown + "?", "-y")) {
            out().println("Run not submitted");
            return ExitStatus.FAILURE;
        }
        Run run = project.applyRun(plan);
        String submitted = run.runSpec().runName();
        out().println("Submitted " + submitted);
        out().flush();
        if (detach) {
            out().println("Detached. See its output with `dstack logs " + submitted + "`, follow it with `dstack attach "
                    + submitted + "`.");
            return ExitStatus.OK;
        }
        return new RunAttachment(project, out(), err()).follow(submitted);
    }

    /** The file's configuration; a bad file is refused with the same lines as {@code dstack validate}. */
    private Configuration readConfiguration() {
        FileVerdict verdict = new ConfigurationFileCheck().check(file);
        if (verdict instanceof FileVerdict.Unreadable unreadable) {
            throw CliException.usage("cannot read " + unreadable.file() + ": " + unreadable.reason());
        }
        if (verdict instanceof FileVerdict.Invalid invalid) {
            invalid.errors().forEach(err()::println);
            throw CliException.failure(file + " is not a valid configuration (" + invalid.errors().size() + " error"
                    + (invalid.errors().size() == 1 ? "" : "s") + ")");
        }
        return ((FileVerdict.Valid) verdict).configuration();
    }
}
