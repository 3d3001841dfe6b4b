/**
 * Runs jobs on the engine's own machine: {@link ai.dstack.core.internal.host.LocalHostExecutor} (through one
 * long-lived perl spawner per jobs directory, or a script per start without perl) and
 * {@link ai.dstack.core.internal.host.LocalResourceDetector}. Internal: no compatibility guarantees.
 */
package ai.dstack.core.internal.host;
