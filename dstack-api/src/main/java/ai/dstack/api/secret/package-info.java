/** Secrets: named values of a project, interpolated into configurations by the server. */
package ai.dstack.api.secret;
