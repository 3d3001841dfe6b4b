package ai.dstack.client;

import ai.dstack.api.user.ProjectRole;
import java.util.Objects;

/**
 * A member to add to a project, or to keep when replacing its members.
 *
 * @param username a user name or an email address
 * @param projectRole the role in the project
 */
public record MemberSetting(String username, ProjectRole projectRole) {
    public MemberSetting {
        Objects.requireNonNull(username, "username is null");
        Objects.requireNonNull(projectRole, "projectRole is null");
        if (projectRole == ProjectRole.UNKNOWN) {
            throw new IllegalArgumentException("projectRole must be admin, manager or user");
        }
    }

    public static MemberSetting of(String username, ProjectRole projectRole) {
        return new MemberSetting(username, projectRole);
    }
}
