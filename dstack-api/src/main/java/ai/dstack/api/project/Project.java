package ai.dstack.api.project;

import ai.dstack.api.json.internal.Values;
import ai.dstack.api.user.User;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A project as dstack's API returns it. {@code projects/list} leaves backends and members empty.
 *
 * @param createdAt null from older servers
 * @param isPublic whether any user may see and join the project; false when absent
 * @param templatesRepo the project's UI templates repo, or null
 */
public record Project(
        UUID projectId,
        String projectName,
        User owner,
        Instant createdAt,
        List<BackendInfo> backends,
        List<Member> members,
        @JsonProperty("is_public") boolean isPublic,
        String templatesRepo) {
    public Project {
        Objects.requireNonNull(projectId, "projectId is null");
        Objects.requireNonNull(projectName, "projectName is null");
        Objects.requireNonNull(owner, "owner is null");
        backends = Values.list(backends);
        members = Values.list(members);
    }
}
