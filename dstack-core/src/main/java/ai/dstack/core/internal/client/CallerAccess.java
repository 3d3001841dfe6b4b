package ai.dstack.core.internal.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.core.internal.operations.AccessDenied;
import ai.dstack.core.internal.operations.Users;
import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.UserRow;
import java.util.Optional;

/**
 * The REST server's checks before a handler runs, in its order: the token (looked up on every call, so a refreshed
 * token stops working at once, as it does over HTTP), then the project (not found), then the role (access denied).
 */
public final class CallerAccess {
    private final Engine engine;
    private final String token;

    public CallerAccess(Engine engine, String token) {
        this.engine = engine;
        this.token = token;
    }

    /** The caller, or FORBIDDEN "Invalid token" as the server answers a token no active user has. */
    public UserRow user() {
        return engine.users().authenticate(token)
                .orElseThrow(() -> new DstackException(ErrorCode.FORBIDDEN, "Invalid token"));
    }

    /** The caller, after checking a need that has no project (authenticated, global admin). */
    public UserRow user(Need need) {
        UserRow user = user();
        if (need == Need.GLOBAL_ADMIN && !Users.isAdmin(user)) {
            throw new AccessDenied();
        }
        return user;
    }

    /** The caller and the project, after the server's checks for a project-scoped need. */
    public Scope scope(String projectName, Need need) {
        UserRow user = user();
        ProjectRow project = engine.projects().find(projectName)
                .orElseThrow(() -> new DstackException(ErrorCode.NOT_FOUND, "Project '" + projectName + "' not found"));
        if (!Users.isAdmin(user) && !allowed(need, user, project)) {
            throw new AccessDenied();
        }
        return new Scope(user, project);
    }

    private boolean allowed(Need need, UserRow user, ProjectRow project) {
        Optional<ProjectRole> role = engine.projects().role(project, user);
        boolean manages = role.filter(r -> r == ProjectRole.ADMIN || r == ProjectRole.MANAGER).isPresent();
        return switch (need) {
            case PROJECT_MEMBER -> role.isPresent();
            case PROJECT_MEMBER_OR_PUBLIC -> role.isPresent() || project.isPublic();
            case PROJECT_MANAGER -> manages;
            case PROJECT_ADMIN -> role.filter(r -> r == ProjectRole.ADMIN).isPresent();
            case PROJECT_MANAGER_OR_PUBLIC -> manages || project.isPublic();
            case GLOBAL_ADMIN -> false;
            case AUTHENTICATED -> true;
        };
    }

    /** Who calls, in which project. */
    public record Scope(UserRow user, ProjectRow project) {}
}
