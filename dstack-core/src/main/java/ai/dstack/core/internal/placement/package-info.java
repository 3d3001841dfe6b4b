/**
 * Hosts and placement: the host router (the engine's own host and SSH fleets' hosts), host shapes and blocks, the
 * local fleet, the choice of an instance for a job, and the launch of a job's process on its host with its ports
 * and shells. It may use {@code internal.context}, {@code internal.services}, {@code internal.runs}, the SPIs and
 * {@code dstack-api}; not the pipelines, the operations or the wiring.
 */
package ai.dstack.core.internal.placement;
