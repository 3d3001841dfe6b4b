/**
 * SSH fleets: on-prem hosts reached over SSH. {@link ai.dstack.backend.ssh.SshRemoteHostProvider} gives the engine
 * pooled connections that run jobs with the shell job protocol, check hosts and detect their resources.
 */
package ai.dstack.backend.ssh;
