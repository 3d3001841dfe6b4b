/** The embedded {@code DstackClient}'s settings ({@code dstack.mode=embedded}). */
package ai.dstack.core.internal.client;
