/** The GCP backend ({@code type: gcp}): Compute Engine through the Backend SPI. */
package ai.dstack.backend.gcp;
