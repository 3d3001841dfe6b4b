/**
 * Storage implementations: {@link ai.dstack.storage.JdbcStateStoreProvider}, the engine's state on SQLite or
 * PostgreSQL.
 */
package ai.dstack.storage;
