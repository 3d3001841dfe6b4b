/**
 * Extension point for running a job's commands on a host: the server's own machine or a remote one. Implementations
 * ({@link ai.dstack.spi.host.HostExecutor}) start jobs as detached processes that outlive the engine, and read their
 * status and logs on demand. {@link ai.dstack.spi.host.ShellJobProtocol} is the file-and-shell protocol they share.
 * This package may evolve faster than {@code ai.dstack.api}.
 */
package ai.dstack.spi.host;
