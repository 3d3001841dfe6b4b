package ai.dstack.cli.internal.command;

import ai.dstack.api.configuration.VolumeConfiguration;
import ai.dstack.api.configuration.ZonalVolumeConfiguration;
import ai.dstack.api.volume.Volume;
import ai.dstack.api.volume.VolumeStatus;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackProject;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * {@code dstack apply -f} of a volume file: shows what will be created, asks, creates it, and waits until the
 * backend has provisioned it (active) or says why not (failed).
 */
final class VolumeApplication {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final DstackProject project;
    private final CliEnvironment environment;
    private final PrintWriter out;

    VolumeApplication(DstackProject project, CliEnvironment environment, PrintWriter out) {
        this.project = project;
        this.environment = environment;
        this.out = out;
    }

    int apply(VolumeConfiguration configuration, String file, boolean yes, boolean detach) throws InterruptedException {
        String name = configuration.name() != null ? configuration.name() : "(a generated name)";
        out.println(" Project        " + project.name());
        out.println(" Configuration  " + file);
        out.println(" Type           volume");
        out.println(" Volume name    " + name);
        out.println(" Backend        " + configuration.backend().wireValue());
        out.println(" Region         " + configuration.region());
        if (configuration instanceof ZonalVolumeConfiguration zonal && zonal.availabilityZone() != null) {
            out.println(" Zone           " + zonal.availabilityZone());
        }
        out.println(configuration.externalVolumeId() != null
                ? " Volume ID      " + configuration.externalVolumeId() + " (existing)"
                : " Size           " + Math.round(configuration.size()) + "GB");
        out.println();
        if (!yes && !Confirmation.ask(environment, out, "Create the volume " + name + "?", "-y")) {
            out.println("Volume not created");
            return ExitStatus.FAILURE;
        }
        Volume volume = project.createVolume(configuration);
        out.println("Volume " + volume.name() + " submitted");
        out.flush();
        if (detach) {
            out.println("Detached. See its status with `dstack volume`.");
            return ExitStatus.OK;
        }
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        while (volume.status() == VolumeStatus.SUBMITTED || volume.status() == VolumeStatus.PROVISIONING) {
            if (System.nanoTime() > deadline) {
                out.println("Volume " + volume.name() + " is still " + volume.status().wireValue()
                        + "; see its status with `dstack volume`");
                return ExitStatus.FAILURE;
            }
            Thread.sleep(POLL.toMillis());
            volume = project.getVolume(volume.name());
        }
        if (volume.status() == VolumeStatus.ACTIVE) {
            out.println("Volume " + volume.name() + " is active: " + volume.volumeId() + " in "
                    + VolumeCommand.location(volume));
            return ExitStatus.OK;
        }
        out.println("Volume " + volume.name() + " " + VolumeCommand.status(volume));
        return ExitStatus.FAILURE;
    }
}
