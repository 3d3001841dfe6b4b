package ai.dstack.cli.internal.command;

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
        return FullDistribution.require(() -> ServerProcess.reEncrypt(spec));
    }
}
