/** Repos: what a run mounts (virtual, local or remote Git) and the credentials used to clone it. */
package ai.dstack.api.repo;
