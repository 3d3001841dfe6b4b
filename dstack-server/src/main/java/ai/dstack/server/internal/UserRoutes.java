package ai.dstack.server.internal;

import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.user.UsersInfoList;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** {@code /api/users/*}. */
final class UserRoutes {
    static final Pattern NAME_PATTERN = Pattern.compile("^[a-zA-Z0-9-_]*$");
    private static final Map<String, GlobalRole> ROLES = Map.of("admin", GlobalRole.ADMIN, "user", GlobalRole.USER);

    private UserRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route("/api/users/list", Need.AUTHENTICATED, Route.Body.OPTIONAL, UserRoutes::list),
                new Route("/api/users/get_my_user", Need.AUTHENTICATED, Route.Body.NONE,
                        call -> call.engine().users().myUser(call.user())),
                new Route("/api/users/get_user", Need.AUTHENTICATED, Route.Body.REQUIRED, call -> {
                    String username = call.body().string("username");
                    call.body().done();
                    return call.engine().users().get(call.user(), username);
                }),
                new Route("/api/users/create", Need.GLOBAL_ADMIN, Route.Body.REQUIRED, call -> {
                    UserSettings user = UserSettings.read(call.body());
                    return call.engine().users().create(user.username(), user.role(), user.email(), user.active());
                }),
                new Route("/api/users/update", Need.GLOBAL_ADMIN, Route.Body.REQUIRED, call -> {
                    UserSettings user = UserSettings.read(call.body());
                    return call.engine().users().update(user.username(), user.role(), user.email(), user.active());
                }),
                new Route("/api/users/refresh_token", Need.AUTHENTICATED, Route.Body.REQUIRED, call -> {
                    String username = call.body().string("username");
                    call.body().done();
                    return call.engine().users().refreshToken(call.user(), username);
                }),
                new Route("/api/users/refresh_ssh_key", Need.AUTHENTICATED, Route.Body.REQUIRED, call -> {
                    String username = call.body().string("username");
                    call.body().done();
                    return call.engine().users().refreshSshKey(call.user(), username);
                }),
                new Route("/api/users/delete", Need.GLOBAL_ADMIN, Route.Body.REQUIRED, call -> {
                    List<String> users = call.body().strings("users");
                    call.body().done();
                    call.engine().users().delete(users);
                    return null;
                }));
    }

    private static Object list(Call call) {
        Fields body = call.body();
        boolean withTotal = body.bool("return_total_count", false);
        String namePattern = body.optString("name_pattern", NAME_PATTERN);
        Instant prevCreatedAt = body.optInstant("prev_created_at");
        UUID prevId = body.optUuid("prev_id");
        int limit = body.integer("limit", 2000, 0, 2000);
        boolean ascending = body.bool("ascending", false);
        body.done();
        UsersInfoList users = call.engine().users().list(call.user(), withTotal, namePattern, prevCreatedAt, prevId,
                limit, ascending);
        // dstack answers a bare array unless the total was asked for.
        return withTotal ? users : users.users();
    }

    /** The body of {@code users/create} and {@code users/update}. */
    private record UserSettings(String username, GlobalRole role, String email, boolean active) {
        static UserSettings read(Fields body) {
            UserSettings settings = new UserSettings(body.string("username"), body.choice("global_role", ROLES),
                    body.optString("email"), body.bool("active", true));
            body.done();
            return settings;
        }
    }
}
