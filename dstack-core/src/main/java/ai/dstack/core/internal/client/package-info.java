/** The embedded {@code DstackClient}'s plumbing: the server's permission checks and its error translation, in process. */
package ai.dstack.core.internal.client;
