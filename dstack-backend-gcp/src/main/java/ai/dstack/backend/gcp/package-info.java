/** The GCP backend (a later issue). */
package ai.dstack.backend.gcp;
