/**
 * Turns a submitted run into its jobs as dstack's server does: server-side defaults and validation of a run spec,
 * run names, job specs per configuration type, and {@code ${{ ... }}} interpolation. Internal: no compatibility
 * guarantees.
 */
package ai.dstack.core.internal.runs;
