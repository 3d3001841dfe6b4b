/**
 * Extension point for cloud backends: where instances come from when no existing host fits. A
 * {@link ai.dstack.spi.backend.BackendProvider} per backend type (dstack's names: {@code aws}, {@code gcp},
 * {@code azure}, ...) is found with {@link java.util.ServiceLoader}; it reads the backend's stored configuration
 * (dstack's fields) and creates a {@link ai.dstack.spi.backend.Backend}, which lists offers, creates and terminates
 * instances, finds what it made by tags, and manages volumes and placement groups where the cloud has them.
 *
 * <p>The engine names no cloud: everything it does with one goes through these types, and every failure a cloud
 * reports arrives as a {@link ai.dstack.spi.backend.BackendException} of a known
 * {@link ai.dstack.spi.backend.BackendFailure} carrying the cloud's own words. This package may evolve faster than
 * {@code ai.dstack.api}.
 */
package ai.dstack.spi.backend;
