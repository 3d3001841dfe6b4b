package ai.dstack.spi.storage;

/** The order in which {@link StateStore#claimDue} hands out due rows. */
public enum ClaimOrder {
    /** Least recently processed first ({@code last_processed_at} ascending). */
    OLDEST_FIRST,
    /**
     * Highest priority first, then oldest ({@code submitted_at} ascending), then least recently processed: for jobs
     * waiting for capacity, which keep their place in the queue however often they are looked at. Jobs take their run's
     * {@code priority}; runs their own. Only for {@link WorkKind#RUNS} and {@link WorkKind#JOBS}.
     */
    HIGHEST_PRIORITY_FIRST
}
