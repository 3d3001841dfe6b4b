/**
 * Running the server as dstack's deployment guide describes: the settings read from the environment for log storage
 * and Litestream, Litestream beside the server, and the checks said at start.
 */
package ai.dstack.server.deploy;
