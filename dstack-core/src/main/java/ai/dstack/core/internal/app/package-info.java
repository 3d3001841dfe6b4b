/**
 * The application layer behind {@link ai.dstack.core.app.DstackApp}: {@link ai.dstack.core.internal.app.Permissions}
 * (the one permission check), {@link ai.dstack.core.internal.app.Application} (each operation: check, validate, call
 * dstack's operations in the engine, map to dstack-api types) and {@link ai.dstack.core.internal.app.AppErrors} (the
 * codes a dstack server sends). May use the engine's operations; nothing outside core uses this package.
 */
package ai.dstack.core.internal.app;
