package ai.dstack.spi.storage;

import java.util.UUID;

/**
 * A backend configured in a project: table {@code backends}. Secrets are stored as given.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 *
 * @param type wire value, e.g. aws
 * @param config JSON: the effective non-secret config
 * @param auth JSON: the credentials (encrypted by the caller)
 * @param sourceConfig JSON: the config as the user wrote it, without credentials
 * @param sourceAuth JSON: the credentials as the user wrote them (encrypted by the caller)
 */
public record BackendRow(
        UUID id,
        UUID projectId,
        String type,
        String config,
        String auth,
        String sourceConfig,
        String sourceAuth) {

    public BackendRow {
        Rows.required(id, "id");
        Rows.required(projectId, "projectId");
        Rows.required(type, "type");
        Rows.required(config, "config");
        Rows.required(auth, "auth");
    }
}
