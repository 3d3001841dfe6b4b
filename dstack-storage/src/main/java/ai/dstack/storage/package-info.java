/**
 * Storage implementations: {@link ai.dstack.storage.JdbcStateStoreProvider}, the engine's state on SQLite or
 * PostgreSQL, and {@link ai.dstack.storage.DatabaseCopy}, which moves that state from SQLite to PostgreSQL.
 */
package ai.dstack.storage;
