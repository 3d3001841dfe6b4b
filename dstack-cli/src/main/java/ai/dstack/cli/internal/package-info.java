/** Plumbing of the {@code dstack} command (wiring, errors, version); may change at any time, not for use by others. */
package ai.dstack.cli.internal;
