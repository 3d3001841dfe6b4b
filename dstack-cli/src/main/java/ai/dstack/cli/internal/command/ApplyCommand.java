package ai.dstack.cli.internal.command;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.FilePathMapping;
import ai.dstack.api.run.FileArchiveMapping;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.PlanPrinter;
import ai.dstack.cli.internal.output.ServiceUrls;
import ai.dstack.cli.internal.ssh.RunConnection;
import ai.dstack.cli.internal.validate.ConfigurationFileCheck;
import ai.dstack.cli.internal.validate.FileVerdict;
import ai.dstack.client.DstackProject;
import ai.dstack.client.TarWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    @Option(names = "--force", description = "Apply even when nothing changed (stops and resubmits an active run).")
    boolean force;

    /** dstack polls a stopping run every second before resubmitting it. */
    private static final long STOP_POLL_MILLIS = 1000;

    @Option(names = {"-P", "--repo"}, paramLabel = "PATH_OR_URL",
            description = "The repo to run with: a directory (a Git clone or not) or a Git URL; overrides `repos`.")
    String repo;

    @Option(names = "--no-repo", description = "Run without a repo, even if the configuration lists one.")
    boolean noRepo;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "The run name (default: the file's name: or a random one).")
    String name;

    @Override
    int run(DstackProject project) throws InterruptedException {
        Configuration read = readConfiguration();
        if (read instanceof FleetConfiguration fleet) {
            return new FleetApplication(project, environment(), out()).apply(fleet, file, yes, detach);
        }
        if (read instanceof ai.dstack.api.configuration.VolumeConfiguration volume) {
            return new VolumeApplication(project, environment(), out()).apply(volume, file, yes, detach);
        }
        if (!(read instanceof RunConfiguration configuration)) {
            throw CliException.failure("applying " + read.type().wireValue() + " configurations is not supported "
                    + "yet by this CLI (" + file + "); only tasks, services, dev environments, SSH fleets and"
                    + " volumes can be applied");
        }
        RunSpec.Builder builder = RunSpec.newBuilder()
                .runName(name != null ? name : configuration.name())
                .configurationPath(file)
                .configuration(configuration)
                .fileArchives(uploadFiles(project, configuration));
        RunRepo runRepo = runRepo(configuration);
        if (runRepo != null) {
            builder.repo(runRepo.repoId(), runRepo.data()).repoCodeHash(runRepo.upload(project));
        }
        RunSpec spec = builder.build();
        RunPlan plan = project.getRunPlan(spec);
        new PlanPrinter(out(), Terminal.width(environment())).print(plan, file);
        String runName = plan.effectiveRunSpecOrRunSpec().runName();
        String confirm = runName == null ? "Submit a new run?" : "Submit the run " + runName + "?";
        String stopFirst = null;
        boolean inPlace = false;
        Run current = plan.currentResource();
        if (current != null && !current.status().isFinished()) {
            // dstack's flow: an in-place update when the server allows one, else stop the active run and resubmit.
            List<String> changes = RunSpecDiff.changes(current.runSpec(), plan.effectiveRunSpecOrRunSpec());
            if (plan.action() == ApplyAction.UPDATE && !changes.isEmpty()) {
                out().println("Active run " + runName + " already exists. Detected changes that can be updated in-place:");
                changes.forEach(change -> out().println("  - " + change));
                confirm = "Update the run?";
                inPlace = true;
            } else if (plan.action() == ApplyAction.UPDATE) {
                out().println("Active run " + runName + " already exists. Detected no changes.");
                if (yes && !force) {
                    out().println("Use --force to apply anyway.");
                    return ExitStatus.OK;
                }
                stopFirst = runName;
                confirm = "Stop and override the run?";
            } else {
                out().println("Active run " + runName + " already exists. Detected changes that cannot be updated in-place:");
                changes.forEach(change -> out().println("  - " + change));
                stopFirst = runName;
                confirm = "Stop and override the run?";
            }
        }
        if (!yes && !Confirmation.ask(environment(), out(), confirm, "-y")) {
            out().println();
            out().println("Exiting...");
            return ExitStatus.FAILURE;
        }
        if (stopFirst != null) {
            out().println("Stopping run " + stopFirst + "...");
            out().flush();
            project.stopRuns(List.of(stopFirst), false);
            while (!project.getRun(stopFirst).status().isFinished()) {
                Thread.sleep(STOP_POLL_MILLIS);
            }
        }
        Run run = project.applyRun(plan);
        if (inPlace) {
            // dstack updates an active run in place when only updatable fields changed (a service: rolling deployment).
            out().println("Updated " + runName + " (deployment " + run.deploymentNum() + ")");
            printServiceUrl(run);
            return ExitStatus.OK;
        }
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
        return new RunAttachment(project, out(), err(), environment(), RunConnection.Options.DEFAULTS, !yes).follow(submitted);
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

    /**
     * The repo to send: {@code -P} (a directory or a URL), else the configuration's first {@code repos} entry (a
     * {@code local_path} relative to the configuration file's directory, or a {@code url}); none with
     * {@code --no-repo} or when neither names one.
     */
    private RunRepo runRepo(RunConfiguration configuration) {
        if (noRepo && repo != null) {
            throw CliException.usage("--no-repo and -P/--repo contradict each other; give one");
        }
        if (noRepo) {
            if (!configuration.base().repos().isEmpty()) {
                throw CliException.usage("--no-repo: " + file + " lists `repos`; remove them from the file to run"
                        + " without a repo");
            }
            return null;
        }
        if (repo != null) {
            return Files.isDirectory(Path.of(repo)) ? RunRepo.ofDirectory(Path.of(repo))
                    : RunRepo.ofUrl(new ai.dstack.api.configuration.RepoSpec(null, repo, null, null, null, null));
        }
        if (configuration.base().repos().isEmpty()) {
            return null;
        }
        ai.dstack.api.configuration.RepoSpec first = configuration.base().repos().get(0);
        if (first.url() != null) {
            return RunRepo.ofUrl(first);
        }
        if (first.branch() != null || first.hash() != null) {
            throw CliException.failure(file + ": repos[0] (local_path " + first.localPath() + "): `branch` and `hash`"
                    + " apply to a `url` repo; a local directory is sent as its working tree (commit or switch"
                    + " branches there, or use `url`)");
        }
        Path base = Path.of(file).toAbsolutePath().getParent();
        return RunRepo.ofDirectory(base.resolve(first.localPath().replaceFirst("^~", System.getProperty("user.home"))));
    }

    /**
     * dstack's {@code files:}: each local path (relative to the configuration file's directory) is packed into a tar
     * named by its last segment, uploaded once per content, and mapped to its path in the job.
     */
    private List<FileArchiveMapping> uploadFiles(DstackProject project, RunConfiguration configuration) {
        List<FileArchiveMapping> archives = new java.util.ArrayList<>();
        Path base = Path.of(file).toAbsolutePath().getParent();
        for (FilePathMapping mapping : configuration.base().files()) {
            Path local = base.resolve(mapping.localPath().replaceFirst("^~", System.getProperty("user.home"))).normalize();
            if (!Files.exists(local)) {
                throw CliException.failure("Path '" + local + "' specified in `files` does not exist");
            }
            byte[] tar;
            try {
                tar = new TarWriter().add(local, local.getFileName().toString()).toByteArray();
            } catch (IOException e) {
                throw CliException.failure("failed to archive '" + local + "': " + e.getMessage());
            }
            archives.add(new FileArchiveMapping(project.client().uploadArchive(tar).id(), mapping.path()));
        }
        return archives;
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
