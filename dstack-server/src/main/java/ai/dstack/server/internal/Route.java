package ai.dstack.server.internal;

/**
 * One POST endpoint: its path (with {@code {project_name}} where dstack has it), who may call it, whether it takes
 * a body, and what it does.
 *
 * @param body {@link Body#NONE} routes ignore any body, as FastAPI does when a route declares none
 */
record Route(String path, Need need, Body body, Handler handler) {
    /** How a route treats the request body. */
    enum Body {
        NONE,
        /** dstack's {@code body: Optional[...] = None}: no body means every default. */
        OPTIONAL,
        REQUIRED,
        /** {@code multipart/form-data} with a {@code file} field (uploads); see {@link Call#upload()}. */
        MULTIPART
    }

    /** The route's work; returns the reply (serialized by {@code DstackJson}; null is {@code null}). */
    @FunctionalInterface
    interface Handler {
        Object handle(Call call) throws Exception;
    }
}
