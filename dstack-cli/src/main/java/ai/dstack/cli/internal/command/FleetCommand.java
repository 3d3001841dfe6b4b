package ai.dstack.cli.internal.command;

import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.instance.Instance;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Describe;
import ai.dstack.cli.internal.output.Table;
import ai.dstack.client.DstackProject;
import java.time.Instant;
import picocli.CommandLine.Command;

/** {@code dstack fleet [list]}: the project's fleets and their instances. */
@Command(name = "fleet", description = "List fleets and their instances.", subcommands = FleetCommand.ListFleets.class)
public final class FleetCommand extends ClientCommand {
    @Override
    int run(DstackProject project) {
        return ListFleets.print(project, this);
    }

    @Command(name = "list", description = "List fleets and their instances.")
    static final class ListFleets extends ClientCommand {
        @Override
        int run(DstackProject project) {
            return print(project, this);
        }

        static int print(DstackProject project, ClientCommand command) {
            Table table = new Table("FLEET", "INSTANCE", "BACKEND", "STATUS", "CREATED");
            Instant now = Instant.now();
            for (Fleet fleet : project.listFleets()) {
                table.row(fleet.name(), "", "", fleet.status().toString().toLowerCase(java.util.Locale.ROOT),
                        Describe.ago(fleet.createdAt(), now));
                for (Instance instance : fleet.instances()) {
                    table.row("", String.valueOf(instance.instanceNum()), String.valueOf(instance.backend()),
                            instance.status().toString().toLowerCase(java.util.Locale.ROOT),
                            Describe.ago(instance.created(), now));
                }
            }
            table.print(command.out(), Terminal.width(command.environment()));
            return ExitStatus.OK;
        }
    }
}
