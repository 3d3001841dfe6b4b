/**
 * The SSH server into jobs (dstack's sshproxy, built in): public-key log-in as a running job's upstream id, shells and
 * commands in the job's working directory and environment, and port forwarding to the job's own ports only.
 * Internal: no compatibility guarantees.
 */
package ai.dstack.server.internal.ssh;
