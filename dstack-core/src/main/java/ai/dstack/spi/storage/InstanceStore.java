package ai.dstack.spi.storage;

import java.util.List;
import java.util.UUID;

/** Instances: table {@code instances}. Deletion is the {@code deleted} flag. */
public interface InstanceStore extends PipelineStore<InstanceRow> {

    /** The fleet's instances that are not deleted, by {@code instance_num}. */
    List<InstanceRow> listByFleet(UUID fleetId);

    /** The project's instances that are not deleted, oldest first. */
    List<InstanceRow> listByProject(UUID projectId);
}
