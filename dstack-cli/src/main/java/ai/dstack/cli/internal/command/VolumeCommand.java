package ai.dstack.cli.internal.command;

import ai.dstack.api.configuration.VolumeConfiguration;
import ai.dstack.api.volume.Volume;
import ai.dstack.api.volume.VolumeAttachment;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Describe;
import ai.dstack.cli.internal.output.Table;
import ai.dstack.client.DstackProject;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dstack volume [list]}: the project's network volumes; {@code dstack volume delete NAME [-y]}. */
@Command(name = "volume", description = "List and delete network volumes.",
        subcommands = {VolumeCommand.ListVolumes.class, VolumeCommand.DeleteVolume.class})
public final class VolumeCommand extends ClientCommand {
    @Override
    int run(DstackProject project) {
        return ListVolumes.print(project, this);
    }

    @Command(name = "list", description = "List network volumes.")
    static final class ListVolumes extends ClientCommand {
        @Override
        int run(DstackProject project) {
            return print(project, this);
        }

        static int print(DstackProject project, ClientCommand command) {
            Table table = new Table("NAME", "BACKEND", "REGION", "STATUS", "ATTACHED", "CREATED");
            Instant now = Instant.now();
            for (Volume volume : project.listVolumes()) {
                table.row(volume.name(), volume.configuration().backend().wireValue(), location(volume),
                        status(volume), attached(volume), Describe.ago(volume.createdAt(), now));
            }
            table.print(command.out(), Terminal.width(command.environment()));
            return ExitStatus.OK;
        }
    }

    /** The region, and the zone once the backend has placed the volume. */
    static String location(Volume volume) {
        VolumeConfiguration c = volume.configuration();
        String zone = volume.provisioningData() == null ? null : volume.provisioningData().availabilityZone();
        return zone == null ? c.region() : c.region() + " (" + zone + ")";
    }

    static String status(Volume volume) {
        String status = volume.status().wireValue();
        return volume.statusMessage() == null ? status : status + ": " + volume.statusMessage();
    }

    private static String attached(Volume volume) {
        List<VolumeAttachment> attachments = volume.attachments() == null ? List.of() : volume.attachments();
        return attachments.isEmpty() ? "-"
                : attachments.stream().map(a -> a.instance().name()).collect(Collectors.joining(", "));
    }

    @Command(name = "delete", description = "Delete a network volume (in the cloud too, unless it was registered with"
            + " volume_id).")
    static final class DeleteVolume extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The volume to delete.")
        String name;

        @Option(names = {"-y", "--yes"}, description = "Delete without asking.")
        boolean yes;

        @Override
        int run(DstackProject project) {
            project.getVolume(name); // an unknown volume is an error before the question
            if (!yes && !Confirmation.ask(environment(), out(), "Delete the volume " + name + "?", "-y")) {
                out().println("Volume not deleted");
                return ExitStatus.FAILURE;
            }
            project.deleteVolumes(List.of(name));
            out().println("Volume " + name + " deleted");
            return ExitStatus.OK;
        }
    }

}
