package ai.dstack.server.internal;

import ai.dstack.api.user.ProjectRole;
import ai.dstack.core.internal.operations.Users;
import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.UserRow;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;

/**
 * Authentication ({@code Authorization: Bearer <token>}, looked up by the token's hash) and dstack's
 * permission dependencies, in dstack's order: token, then the project in the path (404), then the role (403).
 */
final class Access {
    private final Engine engine;

    Access(Engine engine) {
        this.engine = engine;
    }

    /** The caller, or the 403 FastAPI's HTTPBearer and dstack's token check answer. */
    UserRow authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw HttpProblem.notAuthenticated();
        }
        String trimmed = header.trim();
        int space = trimmed.indexOf(' ');
        String scheme = space < 0 ? trimmed : trimmed.substring(0, space);
        String credentials = space < 0 ? "" : trimmed.substring(space + 1).trim();
        if (credentials.isEmpty()) {
            throw HttpProblem.notAuthenticated();
        }
        if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
            throw HttpProblem.invalidCredentials();
        }
        return engine.users().authenticate(credentials).orElseThrow(HttpProblem::invalidToken);
    }

    ProjectRow project(String name) {
        return engine.projects().find(name).orElseThrow(HttpProblem::projectNotFound);
    }

    /** Checks the caller's role in the project for a project-scoped need. */
    void check(Need need, UserRow user, ProjectRow project) {
        if (need == Need.GLOBAL_ADMIN) {
            if (!Users.isAdmin(user)) {
                throw HttpProblem.accessDenied();
            }
            return;
        }
        if (!need.isProjectScoped() || Users.isAdmin(user)) {
            return;
        }
        Optional<ProjectRole> role = engine.projects().role(project, user);
        boolean manages = role.filter(r -> r == ProjectRole.ADMIN || r == ProjectRole.MANAGER).isPresent();
        boolean allowed = switch (need) {
            case PROJECT_MEMBER -> role.isPresent();
            case PROJECT_MEMBER_OR_PUBLIC -> role.isPresent() || project.isPublic();
            case PROJECT_MANAGER -> manages;
            case PROJECT_ADMIN -> role.filter(r -> r == ProjectRole.ADMIN).isPresent();
            case PROJECT_MANAGER_OR_PUBLIC -> manages || project.isPublic();
            default -> true;
        };
        if (!allowed) {
            throw HttpProblem.accessDenied();
        }
    }
}
