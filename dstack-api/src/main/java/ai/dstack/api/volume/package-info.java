/** Volumes: network volumes as dstack's API returns them, with their provisioning and attachments. */
package ai.dstack.api.volume;
