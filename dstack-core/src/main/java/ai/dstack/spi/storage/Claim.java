package ai.dstack.spi.storage;

import java.util.Objects;

/**
 * A row taken by {@link StateStore#claimDue} or {@link StateStore#claim}, as it was when claimed.
 *
 * @param recovered the row was held by a lease that had expired: whoever held it may have stopped half-way, so
 *     processing should check for side effects it already caused
 */
public record Claim<R>(Lease lease, R row, boolean recovered) {
    public Claim {
        Objects.requireNonNull(lease, "lease is null");
        Objects.requireNonNull(row, "row is null");
    }
}
