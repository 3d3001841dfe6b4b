/** State on SQLite or PostgreSQL and log storage (a later issue). */
package ai.dstack.storage;
