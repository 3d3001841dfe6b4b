package ai.dstack.cli.internal.command;

import ai.dstack.api.secret.Secret;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Table;
import ai.dstack.client.DstackProject;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dstack secret set|list|get|delete}: the project's secrets, used in runs as {@code ${{ secrets.NAME }}}. */
@Command(
        name = "secret",
        description = "Manage the project's secrets.",
        subcommands = {SecretCommand.Set.class, SecretCommand.ListSecrets.class, SecretCommand.Get.class,
                SecretCommand.Delete.class})
public final class SecretCommand extends ClientCommand {
    /** {@code dstack secret} alone lists. */
    @Override
    int run(DstackProject project) {
        return ListSecrets.print(project, this);
    }

    @Command(name = "set", description = "Create or replace a secret.")
    static final class Set extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        int run(DstackProject project) {
            project.setSecret(name, value);
            out().println("OK");
            return ExitStatus.OK;
        }
    }

    @Command(name = "list", description = "List secret names (not values).")
    static final class ListSecrets extends ClientCommand {
        @Override
        int run(DstackProject project) {
            return print(project, this);
        }

        static int print(DstackProject project, ClientCommand command) {
            Table table = new Table("NAME", "VALUE"); // dstack's columns: values stay hidden, `secret get` shows one
            project.listSecrets().forEach(secret -> table.row(secret.name(), "******"));
            table.print(command.out(), Terminal.width(command.environment()));
            return ExitStatus.OK;
        }
    }

    @Command(name = "get", description = "Print a secret's value.")
    static final class Get extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(DstackProject project) {
            Secret secret = project.getSecret(name);
            out().println(secret.value());
            return ExitStatus.OK;
        }
    }

    @Command(name = "delete", description = "Delete secrets.")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "NAME", arity = "1..*")
        List<String> names;

        @Override
        int run(DstackProject project) {
            project.deleteSecrets(names);
            out().println("OK");
            return ExitStatus.OK;
        }
    }
}
