/**
 * Test kit for whoever implements one of the engine's SPIs: contract tests that say what an implementation must do,
 * and a clock a test moves by hand.
 *
 * <p>Depend on {@code ai.dstack:dstack-testing} in test scope and extend the contract of what you implement; JUnit 5
 * runs every inherited test against your implementation:
 * <ul>
 *   <li>{@link ai.dstack.testing.StateStoreContract} for a {@link ai.dstack.spi.storage.StateStore} (rows from
 *       {@link ai.dstack.testing.StoreRows});</li>
 *   <li>{@link ai.dstack.testing.LogStoreContract} for a {@link ai.dstack.spi.logs.LogStore};</li>
 *   <li>{@link ai.dstack.testing.HostExecutorContract} for a {@link ai.dstack.spi.host.HostExecutor};</li>
 *   <li>{@link ai.dstack.testing.BackendContract} for a cloud {@link ai.dstack.spi.backend.Backend} on its fake
 *       cloud.</li>
 * </ul>
 * {@link ai.dstack.testing.SettableClock} is given to the engine's builder so that a test moves the engine's timers
 * (idle timeouts, schedules, retries) instead of waiting them out.
 *
 * <p>The module uses only the public SPIs of {@code dstack-core}, JUnit 5, AssertJ and Awaitility.
 */
package ai.dstack.testing;
