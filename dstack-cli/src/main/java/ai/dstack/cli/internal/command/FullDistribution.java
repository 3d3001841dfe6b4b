package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliException;
import java.util.function.IntSupplier;

/**
 * The server's commands run only from the full jar ({@code dstack-cli-<version>-all.jar}); the client-only jar
 * ({@code -client.jar}, which {@code bin/dstack} runs for every other command) lacks the server's classes, and says so.
 */
final class FullDistribution {
    private FullDistribution() {}

    static int require(IntSupplier command) {
        try {
            return command.getAsInt();
        } catch (NoClassDefFoundError e) {
            throw CliException.failure("this command needs the full dstack jar (dstack-cli-<version>-all.jar, which"
                    + " bin/dstack runs for `dstack server`); this jar is the client-only one (missing "
                    + e.getMessage() + ")");
        }
    }
}
