package ai.dstack.cli.internal.command;

import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Describe;
import ai.dstack.cli.internal.output.Table;
import ai.dstack.client.DstackProject;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dstack fleet [list]}: the project's fleets and their instances; {@code dstack fleet delete NAME}. */
@Command(name = "fleet", description = "List and delete fleets.",
        subcommands = {FleetCommand.ListFleets.class, FleetCommand.DeleteFleet.class})
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
            // dstack's columns; a row per fleet (its own status) and one per instance under it.
            Table table = new Table("FLEET", "INSTANCE", "BACKEND", "RESOURCES", "PRICE", "STATUS", "CREATED");
            Instant now = Instant.now();
            for (Fleet fleet : project.listFleets()) {
                table.row(fleet.name(), "", "", "", "", fleet.status().toString().toLowerCase(java.util.Locale.ROOT),
                        Describe.ago(fleet.createdAt(), now));
                for (Instance instance : fleet.instances()) {
                    table.row("", String.valueOf(instance.instanceNum()), backend(instance),
                            instance.instanceType() == null ? "" : Describe.resources(instance.instanceType().resources()),
                            instance.price() == null ? "" : Describe.price(instance.price()), status(instance),
                            Describe.ago(instance.created(), now));
                }
            }
            table.print(command.out(), Terminal.width(command.environment()));
            return ExitStatus.OK;
        }
    }

    /** dstack's backend cell: the backend and, when known, its region. */
    private static String backend(Instance instance) {
        String backend = String.valueOf(instance.backend());
        return instance.region() == null || instance.region().isBlank() ? backend : backend + " (" + instance.region() + ")";
    }

    /** The instance's status; a host split into blocks shows how many are busy, as dstack does. */
    private static String status(Instance instance) {
        String status = instance.status().toString().toLowerCase(java.util.Locale.ROOT);
        boolean up = instance.status() == InstanceStatus.IDLE || instance.status() == InstanceStatus.BUSY;
        if (up && instance.totalBlocks() != null && instance.totalBlocks() > 1) {
            status = instance.busyBlocks() + "/" + instance.totalBlocks() + " busy";
        }
        if (instance.unreachable()) {
            status += " (unreachable)";
        }
        // A pending SSH host says here why it is not up (cannot connect, authentication failed, ...).
        if (instance.terminationReasonMessage() != null) {
            status += ": " + instance.terminationReasonMessage();
        }
        return status;
    }

    @Command(name = "delete", description = "Delete a fleet: its instances go, the hosts keep everything but dstack's"
            + " files.")
    static final class DeleteFleet extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The fleet to delete.")
        String name;

        @Option(names = {"-y", "--yes"}, description = "Delete without asking.")
        boolean yes;

        @Override
        int run(DstackProject project) {
            project.getFleet(name); // an unknown fleet is an error before the question
            if (!yes && !Confirmation.ask(environment(), out(), "Delete the fleet " + name + "?", "-y")) {
                out().println("Fleet not deleted");
                return ExitStatus.FAILURE;
            }
            project.deleteFleets(List.of(name));
            out().println("Fleet " + name + " deleted");
            return ExitStatus.OK;
        }
    }
}
