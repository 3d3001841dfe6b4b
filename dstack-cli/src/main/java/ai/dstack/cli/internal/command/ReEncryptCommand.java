package ai.dstack.cli.internal.command;

import ai.dstack.api.DstackException;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.server.ServerSettings;
import ai.dstack.server.ServerStartup;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code dstack server re-encrypt}: rewrites every encrypted value in the server's database with the first key of
 * config.yml's {@code encryption.keys}, in one transaction, so that the older keys can then be removed. Run it with
 * the server stopped, or at least with no other server writing the same database with an older key list.
 */
@Command(name = "re-encrypt",
        description = "Rewrite every encrypted value in the database with the first key of config.yml's encryption.keys.")
public final class ReEncryptCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        CliEnvironment environment = DstackCommand.environment(spec);
        PrintWriter out = spec.commandLine().getOut();
        ServerSettings settings = ServerCommand.settings(environment);
        ServerStartup startup = ServerCommand.prepare(settings);
        int count;
        try {
            count = startup.reEncrypt();
        } catch (DstackException e) {
            throw CliException.failure("nothing was re-encrypted: " + e.getMessage());
        }
        out.println("Re-encrypted " + count + " value" + (count == 1 ? "" : "s") + " with key " + startup.currentKey());
        out.flush();
        return ExitStatus.OK;
    }
}
