/**
 * dstack's operations on stored state, without the caller's permission check (the application layer, {@code internal.app}, does it): users, projects
 * and members, backend configurations, secrets, repos, uploads, fleets and SSH fleets, public keys, runs (apply,
 * plans, views, queries), the first-start rows, and what the service proxy and the SSH gateway read. It may use
 * {@code internal.pipeline} (to submit and update runs), {@code internal.placement}, {@code internal.cloud} (credential checks, cloud offers), {@code internal.context},
 * {@code internal.services}, {@code internal.runs}, {@code internal.config}, {@code internal.crypto}, the SPIs and
 * {@code dstack-api}; not the wiring.
 */
package ai.dstack.core.internal.operations;
