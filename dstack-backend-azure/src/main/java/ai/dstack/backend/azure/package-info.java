/** The Azure backend (a later issue). */
package ai.dstack.backend.azure;
