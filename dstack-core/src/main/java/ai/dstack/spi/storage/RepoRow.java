package ai.dstack.spi.storage;

import java.util.UUID;

/**
 * A repo known to a project: table {@code repos}.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 *
 * @param name the repo id
 * @param type wire value: remote, local, virtual
 * @param info JSON: the repo info
 * @param creds JSON: legacy shared credentials
 */
public record RepoRow(
        UUID id,
        UUID projectId,
        String name,
        String type,
        String info,
        String creds) {

    public RepoRow {
        Rows.required(id, "id");
        Rows.required(projectId, "projectId");
        Rows.required(name, "name");
        Rows.required(type, "type");
        Rows.required(info, "info");
    }
}
