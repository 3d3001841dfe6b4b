/**
 * Cloud backends in the engine: the {@link ai.dstack.spi.backend.Backend}s of each project's stored configurations
 * (made through the SPI's providers and kept while the configuration is unchanged), offers from them for a job, and
 * the credential check before a configuration is stored. Names no cloud. It may use {@code internal.config},
 * {@code internal.runs}, the SPIs and {@code dstack-api}.
 */
package ai.dstack.core.internal.cloud;
