package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.VersionProvider;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The root {@code dstack} command. It does nothing itself; each job is a subcommand listed in {@code subcommands}
 * below. A new subcommand (server, apply, ps, logs, stop, fleet, offer, secret, config, project, ...) is one class in
 * this package plus one entry in that list. Options declared here with {@code ScopeType.INHERIT} apply to every
 * subcommand, before or after its name.
 */
@Command(
        name = "dstack",
        // INHERIT: every subcommand gets --help, --version and the same help layout.
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Run AI workloads on your own clouds and machines; reads the same .dstack.yml files as dstack.",
        subcommands = {
            ServerCommand.class,
            ConfigCommand.class,
            ProjectCommand.class,
            InitCommand.class,
            ApplyCommand.class,
            PsCommand.class,
            LogsCommand.class,
            MetricsCommand.class,
            EventCommand.class,
            AttachCommand.class,
            StopCommand.class,
            DeleteCommand.class,
            SecretCommand.class,
            FleetCommand.class,
            VolumeCommand.class,
            OfferCommand.class,
            ValidateCommand.class,
            CompletionCommand.class,
        })
public final class DstackCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    private final CliEnvironment environment;

    private boolean debug;

    public DstackCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    public DstackCommand() {
        this(CliEnvironment.system());
    }

    /** The environment of the command found in {@code spec}'s tree. */
    static CliEnvironment environment(CommandSpec spec) {
        return ((DstackCommand) spec.root().userObject()).environment;
    }

    @Option(
            names = "--debug",
            scope = ScopeType.INHERIT,
            description = "Print stack traces of unexpected errors.")
    void setDebug(boolean debug) {
        this.debug = debug;
    }

    /** Whether {@code --debug} was given anywhere on the command line. */
    public boolean debug() {
        return debug;
    }

    /** {@code dstack} alone: there is nothing to do, so show what can be done. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitStatus.USAGE;
    }
}
