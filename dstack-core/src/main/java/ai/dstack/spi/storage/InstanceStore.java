package ai.dstack.spi.storage;

import java.util.List;
import java.util.UUID;

/** Instances: table {@code instances}. Deletion is the {@code deleted} flag. */
public interface InstanceStore extends PipelineStore<InstanceRow> {

    /** The fleet's instances that are not deleted, by {@code instance_num}. */
    List<InstanceRow> listByFleet(UUID fleetId);

    /** The project's instances that are not deleted, oldest first. */
    List<InstanceRow> listByProject(UUID projectId);

    /**
     * Takes ({@code delta > 0}) or gives back ({@code delta < 0}) blocks of a shared instance in one atomic statement,
     * so that jobs on several engines never overbook it: refused (false) when the result would leave
     * {@code 0..total_blocks}. The instance becomes {@code busy} while any block is taken, {@code idle} otherwise.
     */
    boolean adjustBusyBlocks(UUID instanceId, int delta, java.time.Instant now);

    /**
     * Keeps other transactions from changing these instances until this one ends, so that a batch of placements sees
     * one state of their blocks: a block freed while a batch is placed in priority order must not go to a later job
     * of the batch after an earlier one was refused. A store whose write transactions run one at a time (SQLite's
     * single writer) needs nothing; PostgreSQL locks the rows, in id order.
     */
    default void lockAll(java.util.Collection<UUID> instanceIds) {}
}
