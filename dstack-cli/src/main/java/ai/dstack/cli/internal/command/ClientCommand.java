package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.Clients;
import ai.dstack.client.DstackProject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that talks to a server: {@code --project} picks the project; the client is closed when it returns. */
abstract class ClientCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--project", paramLabel = "NAME",
            description = "The project to use (default: DSTACK_PROJECT or the default in ~/.dstack/config.yml).")
    String projectName;

    @Override
    public final Integer call() throws Exception {
        DstackProject project = Clients.open(environment(), projectName);
        try {
            return run(project);
        } finally {
            project.client().close();
        }
    }

    abstract int run(DstackProject project) throws Exception;

    CliEnvironment environment() {
        return DstackCommand.environment(spec);
    }

    /** The URL of the server the command talks to (for links such as a service's URL). */
    String serverUrl() {
        return ai.dstack.client.ConfigResolver.resolve(projectName, environment().env(), environment().configFile()).url();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
