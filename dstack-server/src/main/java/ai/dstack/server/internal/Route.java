package ai.dstack.server.internal;

import ai.dstack.core.app.Operation;

/**
 * One POST endpoint: its path (with {@code {project_name}} where dstack has it), the application operation it
 * adapts (whose permission the router checks before reading the body, as dstack does; null for the few routes open
 * to anyone that no operation stands behind), whether it takes a body, and what it does.
 *
 * @param body {@link Body#NONE} routes ignore any body, as FastAPI does when a route declares none
 */
record Route(String path, Operation operation, Body body, Handler handler) {
    /** How a route treats the request body. */
    enum Body {
        NONE,
        /** dstack's {@code body: Optional[...] = None}: no body means every default. */
        OPTIONAL,
        REQUIRED,
        /** {@code multipart/form-data} with a {@code file} field (uploads); see {@link Call#upload()}. */
        MULTIPART
    }

    /** Whether the route needs a token. */
    boolean authenticated() {
        return operation != null && operation.need() != ai.dstack.core.app.Need.NOTHING;
    }

    /** The route's work; returns the reply (serialized by {@code DstackJson}; null is {@code null}). */
    @FunctionalInterface
    interface Handler {
        Object handle(Call call) throws Exception;
    }
}
