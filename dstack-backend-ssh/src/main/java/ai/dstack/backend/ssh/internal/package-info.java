/** The SSH transport's internals: MINA client, pooled connections, known hosts, the executor over exec channels. */
package ai.dstack.backend.ssh.internal;
