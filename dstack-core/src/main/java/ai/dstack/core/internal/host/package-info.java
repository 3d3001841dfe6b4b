/**
 * Runs jobs on the engine's own machine: {@link ai.dstack.core.internal.host.LocalHostExecutor} and
 * {@link ai.dstack.core.internal.host.LocalResourceDetector}. Internal: no compatibility guarantees.
 */
package ai.dstack.core.internal.host;
