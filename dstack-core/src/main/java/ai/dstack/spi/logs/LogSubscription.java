package ai.dstack.spi.logs;

/** A live {@link LogStore#follow} registration. Closing it stops delivery; closing twice is harmless. */
public interface LogSubscription extends AutoCloseable {

    /** Whether events are still being delivered. */
    boolean isOpen();

    @Override
    void close();
}
