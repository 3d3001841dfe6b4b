/**
 * SSH for the CLI, as dstack's does it: the user's key under {@code ~/.dstack/ssh/}, host entries in
 * {@code ~/.dstack/ssh/config} (included from {@code ~/.ssh/config}) so that {@code ssh <run>} works, and the
 * tunnel that forwards a run's ports while attached.
 */
package ai.dstack.cli.internal.ssh;
