package ai.dstack.api.project;

import ai.dstack.api.user.ProjectRole;
import ai.dstack.api.user.User;
import java.util.Objects;

/** A user's membership of a project. */
public record Member(User user, ProjectRole projectRole, MemberPermissions permissions) {
    public Member {
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(projectRole, "projectRole is null");
        Objects.requireNonNull(permissions, "permissions is null");
    }
}
