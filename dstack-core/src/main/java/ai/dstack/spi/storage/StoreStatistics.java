package ai.dstack.spi.storage;

/**
 * What a store has sent to its database since it was opened: SQL statements executed and read-write transactions
 * (claims and heartbeats included). For benchmarks and tests that count the engine's work; both are zero for a store
 * that does not count.
 */
public record StoreStatistics(long statements, long writeTransactions) {
    public static final StoreStatistics NONE = new StoreStatistics(0, 0);

    /** What happened between {@code earlier} and this snapshot. */
    public StoreStatistics minus(StoreStatistics earlier) {
        return new StoreStatistics(statements - earlier.statements, writeTransactions - earlier.writeTransactions);
    }
}
