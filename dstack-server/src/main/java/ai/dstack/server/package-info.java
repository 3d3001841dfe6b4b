/** dstack's REST API over an embedded engine: {@link ai.dstack.server.DstackServer}. */
package ai.dstack.server;
