package ai.dstack.server.internal;

import java.util.List;
import java.util.UUID;

/** {@code /api/users/public_keys/*}: the caller's own SSH public keys. */
final class PublicKeyRoutes {
    private PublicKeyRoutes() {}

    static List<Route> all() {
        String base = "/api/users/public_keys/";
        return List.of(
                new Route(base + "list", Need.AUTHENTICATED, Route.Body.NONE,
                        call -> call.engine().publicKeys().list(call.user())),
                new Route(base + "add", Need.AUTHENTICATED, Route.Body.REQUIRED, call -> {
                    String key = call.body().string("key");
                    String name = call.body().optString("name");
                    call.body().done();
                    return call.engine().publicKeys().add(call.user(), key, name);
                }),
                new Route(base + "delete", Need.AUTHENTICATED, Route.Body.REQUIRED, call -> {
                    List<UUID> ids = call.body().optUuids("ids");
                    if (ids == null) {
                        call.body().strings("ids"); // reports the missing field as FastAPI does
                    }
                    call.body().done();
                    call.engine().publicKeys().delete(call.user(), ids);
                    return null;
                }));
    }
}
