package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Table;
import ai.dstack.client.DstackConfig;
import ai.dstack.client.ProjectConfig;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dstack project add|list|set-default|delete}: the projects of {@code ~/.dstack/config.yml}. */
@Command(
        name = "project",
        description = "Manage the projects in ~/.dstack/config.yml.",
        subcommands = {
            ProjectCommand.Add.class,
            ProjectCommand.ListProjects.class,
            ProjectCommand.SetDefault.class,
            ProjectCommand.Delete.class
        })
public final class ProjectCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    /** {@code dstack project} alone lists, as dstack does. */
    @Override
    public Integer call() {
        return ListProjects.print(spec);
    }

    @Command(name = "add", description = "Add a project (checked against its server), or update it.")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "The project name.")
        String name;

        @Option(names = "--url", required = true, description = "The server URL.")
        String url;

        @Option(names = "--token", required = true, description = "Your user token.")
        String token;

        @Option(names = {"-y", "--yes"}, description = "Make it the default without asking.")
        boolean yes;

        @Option(names = {"-n", "--no"}, description = "Do not make it the default.")
        boolean no;

        @Override
        public Integer call() {
            CliEnvironment environment = DstackCommand.environment(spec);
            PrintWriter out = spec.commandLine().getOut();
            ProjectCheck.verify(name, url, token);
            DstackConfig config = DstackConfig.load(environment.configFile());
            Optional<ProjectConfig> current = config.defaultProject();
            if (current.isEmpty() || !current.get().equals(new ProjectConfig(name, url, token, true))) {
                boolean makeDefault = !no && (yes || current.isEmpty()
                        || Confirmation.ask(environment, out, "Set '" + name + "' as your default project?", "-y or -n"));
                config.withProject(name, url, token, makeDefault).save();
            }
            out.println("Configuration updated at " + environment.configFile());
            return ExitStatus.OK;
        }
    }

    @Command(name = "list", description = "List the configured projects.")
    static final class ListProjects implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return print(spec);
        }

        static int print(CommandSpec spec) {
            CliEnvironment environment = DstackCommand.environment(spec);
            DstackConfig config = DstackConfig.load(environment.configFile());
            String defaultName = config.defaultProject().map(ProjectConfig::name).orElse(null);
            Table table = new Table("PROJECT", "URL", "DEFAULT");
            for (ProjectConfig project : config.projects()) {
                table.row(project.name(), project.url(), project.name().equals(defaultName) ? "✓" : "");
            }
            table.print(spec.commandLine().getOut(), Terminal.width(environment));
            return ExitStatus.OK;
        }
    }

    @Command(name = "set-default", description = "Make a configured project the default.")
    static final class SetDefault implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PROJECT", description = "The project's name.")
        String name;

        @Override
        public Integer call() {
            CliEnvironment environment = DstackCommand.environment(spec);
            DstackConfig config = DstackConfig.load(environment.configFile());
            ProjectConfig project = config.project(name)
                    .orElseThrow(() -> CliException.failure("Project '" + name + "' not found"));
            config.withProject(name, project.url(), project.token(), true).save();
            spec.commandLine().getOut().println("OK");
            return ExitStatus.OK;
        }
    }

    @Command(name = "delete", description = "Remove a project from the configuration (the server keeps it).")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PROJECT", description = "The project's name.")
        String name;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        public Integer call() {
            CliEnvironment environment = DstackCommand.environment(spec);
            PrintWriter out = spec.commandLine().getOut();
            DstackConfig config = DstackConfig.load(environment.configFile());
            if (config.project(name).isEmpty()) {
                throw CliException.failure("Project '" + name + "' not found in " + environment.configFile());
            }
            if (yes || Confirmation.ask(environment, out, "Are you sure you want to delete project '" + name + "'?", "-y")) {
                config.withoutProject(name).save();
                out.println("OK");
            }
            return ExitStatus.OK;
        }
    }
}
