/** The HTTP transport, error mapping and config file handling behind the client; no compatibility guarantees. */
package ai.dstack.client.internal;
