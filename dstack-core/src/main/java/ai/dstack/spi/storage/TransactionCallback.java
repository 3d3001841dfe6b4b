package ai.dstack.spi.storage;

/** Work done inside one transaction that returns a result. The transaction must not escape the callback. */
@FunctionalInterface
public interface TransactionCallback<R, X extends Exception> {
    R withTransaction(StoreTransaction transaction) throws X;
}
