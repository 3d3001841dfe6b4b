/** SSH fleets: on-prem hosts reached over SSH (a later issue). */
package ai.dstack.backend.ssh;
