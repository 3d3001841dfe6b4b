package ai.dstack.spi.storage;

/** The order in which {@link StateStore#claimDue} hands out due rows. */
public enum ClaimOrder {
    /** Least recently processed first ({@code last_processed_at} ascending). */
    OLDEST_FIRST,
    /**
     * Highest priority first, then least recently processed: for jobs waiting for capacity. Jobs take their run's
     * {@code priority}; runs their own. Only for {@link WorkKind#RUNS} and {@link WorkKind#JOBS}.
     */
    HIGHEST_PRIORITY_FIRST
}
