package ai.dstack.cli.internal.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dstack server}: dstack's REST API over an engine in this process, until SIGTERM or Ctrl-C. Registers the
 * server as project {@code main} in {@code ~/.dstack/config.yml} by dstack's rules, so that the other commands find it.
 */
@Command(name = "server", description = "Start the dstack server (REST API and engine) in this process.",
        subcommands = {ReEncryptCommand.class, MigrateDbCommand.class})
public final class ServerCommand implements Callable<Integer> {
    static final String MAIN_PROJECT = "main";

    @Spec
    private CommandSpec spec;

    @Option(names = "--host", description = "Address to listen on (env DSTACK_SERVER_HOST, default 127.0.0.1).")
    private String host;

    @Option(names = {"-p", "--port"}, description = "Port to listen on (env DSTACK_SERVER_PORT, default 3000).")
    private Integer port;

    @Option(names = "--token", description = "The admin user's token when it is created (env DSTACK_SERVER_ADMIN_TOKEN).")
    private String token;

    @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL",
            description = "Log level: TRACE, DEBUG, INFO, WARNING or ERROR (env DSTACK_SERVER_LOG_LEVEL, default INFO).")
    private String logLevel;

    @ArgGroup(exclusive = true)
    private ConfigUpdate configUpdate = new ConfigUpdate();

    static final class ConfigUpdate {
        @Option(names = {"-y", "--yes"}, description = "Always update the main project in ~/.dstack/config.yml.")
        boolean yes;

        @Option(names = {"-n", "--no"}, description = "Never update ~/.dstack/config.yml.")
        boolean no;
    }

    @Override
    public Integer call() {
        return FullDistribution.require(() -> new ServerProcess(spec, host, port, token, logLevel, configUpdate.yes,
                configUpdate.no).run());
    }
}
