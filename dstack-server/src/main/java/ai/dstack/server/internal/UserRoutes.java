package ai.dstack.server.internal;

import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.user.UsersInfoList;
import ai.dstack.client.NewUser;
import ai.dstack.client.UserQuery;
import ai.dstack.core.app.Operation;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code /api/users/*}. */
final class UserRoutes {
    static final Pattern NAME_PATTERN = Pattern.compile("^[a-zA-Z0-9-_]*$");
    private static final Map<String, GlobalRole> ROLES = Map.of("admin", GlobalRole.ADMIN, "user", GlobalRole.USER);

    private UserRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route("/api/users/list", Operation.LIST_USERS, Route.Body.OPTIONAL, UserRoutes::list),
                new Route("/api/users/get_my_user", Operation.GET_MY_USER, Route.Body.NONE,
                        call -> call.app().me(call.caller())),
                new Route("/api/users/get_user", Operation.GET_USER, Route.Body.REQUIRED, call -> {
                    String username = call.body().string("username");
                    call.body().done();
                    return call.app().getUser(call.caller(), username);
                }),
                new Route("/api/users/create", Operation.CREATE_USER, Route.Body.REQUIRED,
                        call -> call.app().createUser(call.caller(), user(call.body()))),
                new Route("/api/users/update", Operation.UPDATE_USER, Route.Body.REQUIRED,
                        call -> call.app().updateUser(call.caller(), user(call.body()))),
                new Route("/api/users/refresh_token", Operation.REFRESH_TOKEN, Route.Body.REQUIRED, call -> {
                    String username = call.body().string("username");
                    call.body().done();
                    return call.app().refreshToken(call.caller(), username);
                }),
                new Route("/api/users/refresh_ssh_key", Operation.REFRESH_SSH_KEY, Route.Body.REQUIRED, call -> {
                    String username = call.body().string("username");
                    call.body().done();
                    return call.app().refreshSshKey(call.caller(), username);
                }),
                new Route("/api/users/delete", Operation.DELETE_USERS, Route.Body.REQUIRED, call -> {
                    List<String> users = call.body().strings("users");
                    call.body().done();
                    call.app().deleteUsers(call.caller(), users);
                    return null;
                }));
    }

    private static Object list(Call call) {
        Fields body = call.body();
        boolean withTotal = body.bool("return_total_count", false);
        String namePattern = body.optString("name_pattern", NAME_PATTERN);
        java.time.Instant prevCreatedAt = body.optInstant("prev_created_at");
        java.util.UUID prevId = body.optUuid("prev_id");
        int limit = body.integer("limit", 2000, 0, 2000);
        boolean ascending = body.bool("ascending", false);
        body.done();
        UserQuery query = new UserQuery(namePattern, prevCreatedAt, prevId, limit, ascending);
        UsersInfoList users = call.app().listUsers(call.caller(), query, withTotal);
        // dstack answers a bare array unless the total was asked for.
        return withTotal ? users : users.users();
    }

    /** The body of {@code users/create} and {@code users/update}. */
    private static NewUser user(Fields body) {
        String username = body.string("username");
        GlobalRole role = body.choice("global_role", ROLES);
        String email = body.optString("email");
        boolean active = body.bool("active", true);
        body.done();
        return new NewUser(username, role, email, active);
    }
}
