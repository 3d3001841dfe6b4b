/** The REST server's plumbing: routes, auth, request reading, dstack's error bodies. No compatibility guarantees. */
package ai.dstack.server.internal;
