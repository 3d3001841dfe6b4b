/** Test helpers for SSH fleets: a real SSH server on loopback (MINA) and ssh-keygen keys. */
package ai.dstack.backend.ssh.testing;
