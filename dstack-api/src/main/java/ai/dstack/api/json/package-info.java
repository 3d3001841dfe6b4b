/** JSON mapping of dstack's REST API: one preconfigured Jackson mapper, {@link ai.dstack.api.json.DstackJson}. */
package ai.dstack.api.json;
