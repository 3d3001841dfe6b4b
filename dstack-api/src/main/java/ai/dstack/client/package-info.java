/**
 * Working with dstack from Java: one {@link ai.dstack.client.DstackClient} interface for a remote server
 * ({@link ai.dstack.client.RemoteDstackClient}) or an embedded engine, chosen by {@link ai.dstack.client.Dstack}.
 */
package ai.dstack.client;
