package ai.dstack.spi.backend;

import java.util.Objects;

/**
 * What {@link Backend#poll} saw.
 *
 * @param data the instance's data, with its addresses once {@link State#RUNNING}
 * @param reason the cloud's words for {@link State#INTERRUPTED} and {@link State#TERMINATED}; null otherwise
 */
public record InstanceStatus(State state, ProvisioningData data, String reason) {
    public InstanceStatus {
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(data, "data is null");
    }

    public enum State {
        /** Starting: no address yet. */
        PENDING,
        /** Running and addressable. */
        RUNNING,
        /** The cloud took it back (a spot interruption, a capacity reclaim): dstack's {@code interrupted_by_no_capacity}. */
        INTERRUPTED,
        /** Stopped, terminated or gone for another reason. */
        TERMINATED
    }
}
