package ai.dstack.server.internal;

import ai.dstack.core.app.Operation;
import java.util.List;
import java.util.UUID;

/** {@code /api/users/public_keys/*}: the caller's own SSH public keys. */
final class PublicKeyRoutes {
    private PublicKeyRoutes() {}

    static List<Route> all() {
        String base = "/api/users/public_keys/";
        return List.of(
                new Route(base + "list", Operation.LIST_PUBLIC_KEYS, Route.Body.NONE,
                        call -> call.app().listPublicKeys(call.caller())),
                new Route(base + "add", Operation.ADD_PUBLIC_KEY, Route.Body.REQUIRED, call -> {
                    String key = call.body().string("key");
                    String name = call.body().optString("name");
                    call.body().done();
                    return call.app().addPublicKey(call.caller(), key, name);
                }),
                new Route(base + "delete", Operation.DELETE_PUBLIC_KEYS, Route.Body.REQUIRED, call -> {
                    List<UUID> ids = call.body().optUuids("ids");
                    if (ids == null) {
                        call.body().strings("ids"); // reports the missing field as FastAPI does
                    }
                    call.body().done();
                    call.app().deletePublicKeys(call.caller(), ids);
                    return null;
                }));
    }
}
