/** The GCP backend's implementation: settings, Compute Engine calls, labels, disks and placement policies. */
package ai.dstack.backend.gcp.internal;
