/**
 * The composition root: {@link ai.dstack.core.internal.wiring.Engine} builds the context, the hosts, the loops and
 * the operations, starts the loops and closes everything. It may use every engine package; nothing in them uses it.
 */
package ai.dstack.core.internal.wiring;
