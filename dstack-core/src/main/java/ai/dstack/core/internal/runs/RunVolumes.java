package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.MountPoint;
import ai.dstack.api.configuration.VolumeMountPoint;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.VolumeRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The network volumes a run mounts ({@code volumes: [{name, path}]} or {@code name:path}) as the project has them:
 * where they are decides where the run may be placed (their backend, region and zone).
 */
public final class RunVolumes {
    private RunVolumes() {}

    /** A network volume of the project, as plan checks and placement see it. */
    public record ProjectVolume(String name, String backend, String region, String zone, String status,
            VolumeData data) {
        public ProjectVolume {
            Objects.requireNonNull(name, "name is null");
        }

        public boolean active() {
            return "active".equals(status);
        }

        /** Whether an instance of this backend, region and zone can attach it. */
        public boolean reachableFrom(String instanceBackend, String instanceRegion, String instanceZone) {
            return backend.equals(instanceBackend) && region.equals(instanceRegion)
                    && (zone == null || instanceZone == null || zone.equals(instanceZone));
        }
    }

    /** A network volume mounted at a path. */
    public record Mount(String name, String path) {}

    /** The run's network volume mounts (the first name of each: several names are refused by the field check). */
    public static List<Mount> mounts(RunSpec spec) {
        if (spec == null || spec.configuration() == null) {
            return List.of();
        }
        List<Mount> out = new ArrayList<>();
        for (MountPoint volume : spec.configuration().base().volumes()) {
            if (volume instanceof VolumeMountPoint named) {
                out.add(new Mount(named.names().get(0), named.path()));
            }
        }
        return out;
    }

    /** The project's volume of this name that is not deleted, with its location once provisioned. */
    public static Optional<ProjectVolume> find(StoreTransaction tx, UUID projectId, String name) {
        return tx.volumes().findByName(projectId, name).filter(v -> !v.toBeDeleted()).map(RunVolumes::view);
    }

    /** The run's volumes that exist in the project (missing ones are left out; the field check names them). */
    public static List<ProjectVolume> of(StoreTransaction tx, UUID projectId, RunSpec spec) {
        List<ProjectVolume> out = new ArrayList<>();
        for (Mount mount : mounts(spec)) {
            find(tx, projectId, mount.name()).ifPresent(out::add);
        }
        return out;
    }

    public static ProjectVolume view(VolumeRow row) {
        VolumeData data = Json.read(row.volumeProvisioningData(), VolumeData.class);
        com.fasterxml.jackson.databind.JsonNode conf = Json.read(row.configuration(),
                com.fasterxml.jackson.databind.JsonNode.class);
        String backend = data != null ? data.backend() : conf.path("backend").asText();
        String region = data != null ? data.region() : conf.path("region").asText();
        String zone = data != null && data.availabilityZone() != null ? data.availabilityZone()
                : conf.path("availability_zone").isTextual() ? conf.path("availability_zone").asText() : null;
        return new ProjectVolume(row.name(), backend, region, zone, row.status(), data);
    }
}
