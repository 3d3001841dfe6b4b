/** The Azure backend's implementation: settings, credentials, ARM calls, names and errors. */
package ai.dstack.backend.azure.internal;
