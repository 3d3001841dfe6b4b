/** Uploaded file archives, the server side of a configuration's {@code files:}. */
package ai.dstack.api.files;
