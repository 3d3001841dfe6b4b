/**
 * The engine's state store: where runs, jobs, fleets, instances and their owners live, and how work on them is
 * claimed with leases. Implemented by {@code dstack-storage} (SQLite and PostgreSQL). This SPI may evolve faster
 * than {@code ai.dstack.api}.
 */
package ai.dstack.spi.storage;
