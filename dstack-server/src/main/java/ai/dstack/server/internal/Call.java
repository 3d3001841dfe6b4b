package ai.dstack.server.internal;

import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.UserRow;

/**
 * One API call after the checks that come before its handler: the caller (null on open routes), the project in
 * the path (null when there is none) and the body's fields.
 */
final class Call {
    private final Engine engine;
    private final UserRow user;
    private final ProjectRow project;
    private final Fields body;
    private final Upload upload;
    private final java.util.Map<String, String> query;
    private final java.util.Map<String, String> pathParameters;

    /** The query string's parameters, first value of each. */
    java.util.Map<String, String> query() {
        return query;
    }

    /** A parameter of the route's path, e.g. {@code run_name}. */
    String pathParameter(String name) {
        return pathParameters.get(name);
    }

    Call(Engine engine, UserRow user, ProjectRow project, Fields body) {
        this(engine, user, project, body, null);
    }

    Call(Engine engine, UserRow user, ProjectRow project, Fields body, Upload upload) {
        this(engine, user, project, body, upload, java.util.Map.of(), java.util.Map.of());
    }

    /**
     * @param query the query string's parameters (first value of each)
     * @param pathParameters the path's parameters, e.g. {@code run_name}
     */
    Call(Engine engine, UserRow user, ProjectRow project, Fields body, Upload upload,
            java.util.Map<String, String> query, java.util.Map<String, String> pathParameters) {
        this.query = query;
        this.pathParameters = pathParameters;
        this.engine = engine;
        this.user = user;
        this.project = project;
        this.body = body;
        this.upload = upload;
    }

    /** The uploaded file of a multipart route; null on other routes. */
    Upload upload() {
        return upload;
    }

    Engine engine() {
        return engine;
    }

    UserRow user() {
        return user;
    }

    ProjectRow project() {
        return project;
    }

    /** The body's top-level fields; an empty object for routes without a body or an absent optional one. */
    Fields body() {
        return body;
    }
}
