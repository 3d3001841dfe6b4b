/**
 * dstack's application layer, the one door into the engine: every dstack operation as one method of
 * {@link ai.dstack.core.app.DstackApp} that takes the {@link ai.dstack.core.app.Caller}, checks its permission once
 * ({@link ai.dstack.core.app.Operation} names each operation with its {@link ai.dstack.core.app.Need}), validates
 * once, and returns dstack-api types. The REST server, the embedded client and {@code DstackEngine} are adapters
 * over it. Errors are {@link ai.dstack.api.DstackException}s; {@link ai.dstack.core.app.PermissionDenied} marks
 * dstack's permission refusals. The implementation lives in {@code ai.dstack.core.internal.app}.
 */
package ai.dstack.core.app;
