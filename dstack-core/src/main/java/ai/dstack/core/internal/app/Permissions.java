package ai.dstack.core.internal.app;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.core.app.Caller;
import ai.dstack.core.app.Need;
import ai.dstack.core.app.Operation;
import ai.dstack.core.app.PermissionDenied;
import ai.dstack.core.internal.operations.Users;
import ai.dstack.core.internal.operations.Projects;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.UserRow;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one permission check: the token, then the project (not found), then the role (access denied), as dstack's
 * permission dependencies run. A global admin passes every check.
 */
final class Permissions {
    private final Users accounts;
    private final Projects projects;
    private final CallerCache callers;

    Permissions(Users accounts, Projects projects, CallerCache callers) {
        this.accounts = accounts;
        this.projects = projects;
        this.callers = callers;
    }

    Caller authenticate(String token) {
        Optional<UserRow> user = token == null || token.isEmpty() ? Optional.empty()
                : callers.user(token, () -> accounts.authenticate(token));
        return user.map(UserCaller::new).orElseThrow(() -> new PermissionDenied(PermissionDenied.INVALID_TOKEN));
    }

    /** The active user of this name as a caller, without a token (see {@link Application#userNamed}). */
    Caller userNamed(String username) {
        return callers.userNamed(username, () -> accounts.findByName(username).filter(UserRow::active))
                .<Caller>map(UserCaller::new)
                .orElseThrow(() -> new PermissionDenied(PermissionDenied.INVALID_TOKEN));
    }

    /** After a committed change of users, projects or members: the next check reads them again. */
    void forgetCallers() {
        callers.invalidateAll();
    }

    /** The caller's user after checking a need without a project. */
    UserRow user(Caller caller, Operation operation) {
        return check(caller, operation, null).user();
    }

    /** The caller and the project after checking a project-scoped need. */
    Scope scope(Caller caller, Operation operation, String projectName) {
        Objects.requireNonNull(projectName, "project is null");
        return check(caller, operation, projectName);
    }

    Scope check(Caller caller, Operation operation, String projectName) {
        Need need = operation.need();
        if (need == Need.NOTHING) {
            return new Scope(null, null);
        }
        UserRow user = user(caller);
        ProjectRow project = null;
        if (projectName != null) {
            project = callers.project(projectName, () -> projects.find(projectName)).orElseThrow(() -> new DstackException(ErrorCode.NOT_FOUND,
                    "Project '" + projectName + "' not found"));
        } else if (need.isProjectScoped()) {
            throw new IllegalArgumentException(operation + " needs a project");
        }
        if (!allowed(need, user, project)) {
            throw PermissionDenied.accessDenied();
        }
        return new Scope(user, project);
    }

    /** The projects a caller's listings span: all for a global admin, its memberships otherwise. */
    List<ProjectRow> memberProjects(UserRow user) {
        return Users.isAdmin(user) ? projects.all() : projects.memberProjects(user);
    }

    private static UserRow user(Caller caller) {
        if (caller instanceof UserCaller user) {
            return user.user();
        }
        throw caller == null ? new PermissionDenied("Not authenticated")
                : new IllegalArgumentException("Not a caller of this engine: " + caller.getClass().getName());
    }

    private boolean allowed(Need need, UserRow user, ProjectRow project) {
        if (Users.isAdmin(user)) {
            return true;
        }
        if (need == Need.GLOBAL_ADMIN) {
            return false;
        }
        if (!need.isProjectScoped()) {
            return true;
        }
        Optional<ProjectRole> role = callers.role(project, user, () -> projects.role(project, user));
        boolean manages = role.filter(r -> r == ProjectRole.ADMIN || r == ProjectRole.MANAGER).isPresent();
        return switch (need) {
            case PROJECT_MEMBER -> role.isPresent();
            case PROJECT_MEMBER_OR_PUBLIC -> role.isPresent() || project.isPublic();
            case PROJECT_MANAGER -> manages;
            case PROJECT_ADMIN -> role.filter(r -> r == ProjectRole.ADMIN).isPresent();
            case PROJECT_MANAGER_OR_PUBLIC -> manages || project.isPublic();
            case PROJECT_SSH_FLEET_MANAGER -> role.isPresent() && projects.canManageSshFleets(project, user);
            case NOTHING, AUTHENTICATED, GLOBAL_ADMIN -> true;
        };
    }

    /** Who calls, in which project (null for operations without one). */
    record Scope(UserRow user, ProjectRow project) {}
}
