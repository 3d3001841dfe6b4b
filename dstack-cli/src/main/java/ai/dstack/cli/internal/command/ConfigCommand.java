package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dstack config}: dstack's older way to add a project; adds it and makes it the default, after checking it. */
@Command(name = "config", description = "Configure a project in ~/.dstack/config.yml and make it the default.")
public final class ConfigCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--project", required = true, description = "The project name.")
    private String project;

    @Option(names = "--url", required = true, description = "The server URL, e.g. http://127.0.0.1:3000.")
    private String url;

    @Option(names = "--token", required = true, description = "Your user token.")
    private String token;

    @Override
    public Integer call() {
        CliEnvironment environment = DstackCommand.environment(spec);
        ProjectCheck.verify(project, url, token);
        DstackConfig.load(environment.configFile()).withProject(project, url, token, true).save();
        spec.commandLine().getOut().println("Configuration updated at " + environment.configFile());
        return ExitStatus.OK;
    }
}
