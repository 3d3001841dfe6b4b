/**
 * For implementers: a {@link ai.dstack.client.spi.DstackClientProvider} makes a kind of client ({@code remote},
 * {@code embedded}) available to {@link ai.dstack.client.Dstack#connect(java.util.Map)}. May evolve faster than
 * the client API.
 */
package ai.dstack.client.spi;
