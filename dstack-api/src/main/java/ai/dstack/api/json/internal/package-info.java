/**
 * Helpers behind {@link ai.dstack.api.json.DstackJson} and the API records. Internal: no compatibility guarantees,
 * may change at any time.
 */
package ai.dstack.api.json.internal;
