/**
 * What every part of the engine shares: {@link ai.dstack.core.internal.context.EngineContext} (the stores, the host,
 * the clock, the settings and the hints that wake the loops), config.yml's default permissions, the JSON form of
 * stored specs, and the small shared state the views read (SSH sessions, connection info, probe states). It may use
 * the SPIs ({@code ai.dstack.spi.*}), {@code dstack-api} and {@code internal.runs}; no other engine package.
 */
package ai.dstack.core.internal.context;
