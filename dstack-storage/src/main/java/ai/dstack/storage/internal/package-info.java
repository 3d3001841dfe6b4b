/**
 * The JDBC state store's machinery. No compatibility guarantees: use
 * {@link ai.dstack.storage.JdbcStateStoreProvider}.
 */
package ai.dstack.storage.internal;
