/** The file log store's machinery. No compatibility guarantees. */
package ai.dstack.storage.logs.internal;
