/**
 * The engine's loops and what they run: the work loop, the run and job processors, submission of jobs, the log pump,
 * schedules, inactivity, probes, service replicas and rolling updates, and the provisioning of SSH instances. It may
 * use {@code internal.placement}, {@code internal.cloud} (instances made by cloud backends), {@code internal.context}, {@code internal.services}, {@code internal.runs}, the SPIs
 * and {@code dstack-api}; not the operations or the wiring.
 */
package ai.dstack.core.internal.pipeline;
