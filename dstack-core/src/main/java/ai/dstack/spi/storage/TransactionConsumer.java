package ai.dstack.spi.storage;

/** Work done inside one transaction with no result. The transaction must not escape the callback. */
@FunctionalInterface
public interface TransactionConsumer<X extends Exception> {
    void useTransaction(StoreTransaction transaction) throws X;
}
