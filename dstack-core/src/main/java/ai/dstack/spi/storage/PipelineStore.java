package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Rows that background processing claims with leases: runs, jobs, instances, fleets. */
public interface PipelineStore<R> {

    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_EXISTS} if the id or a unique name is taken */
    void insert(R row);

    Optional<R> find(UUID id);

    /**
     * Writes every column of {@code row} except its id and lease, if {@code lease} still holds the row. Returns false,
     * writing nothing, when the token has changed: the caller's results are stale and must be dropped.
     */
    boolean update(R row, Lease lease);

    /**
     * {@link #update(Object, Lease)} that also lets the row go, as {@link LeaseStore#release(Lease)} would, in the
     * same statement: what a step does last. False, writing nothing and releasing nothing, when the token has changed.
     */
    boolean updateAndRelease(R row, Lease lease);

    /**
     * Writes every column of {@code row} except its id and lease, if no live lease holds the row at {@code now}. For
     * changes made outside background processing, e.g. by an API call. False if the row is leased or missing.
     */
    boolean updateIfNotLeased(R row, Instant now);
}
