package ai.dstack.server.internal;

import ai.dstack.core.app.Caller;
import ai.dstack.core.app.DstackApp;
import java.util.Map;

/**
 * One API call after the checks that come before its handler: the application, the caller (null on open routes),
 * the project name in the path (null when there is none), the body's fields, the query string's parameters (first
 * value of each) and the path's parameters (e.g. {@code run_name}).
 */
record Call(DstackApp app, Caller caller, String project, Fields body, Upload upload, Map<String, String> query,
        Map<String, String> pathParameters) {
    Call(DstackApp app, Caller caller, String project, Fields body, Upload upload) {
        this(app, caller, project, body, upload, Map.of(), Map.of());
    }

    /** The uploaded file of a multipart route; null on other routes. */
    @Override
    public Upload upload() {
        return upload;
    }

    /** A parameter of the route's path, e.g. {@code run_name}. */
    String pathParameter(String name) {
        return pathParameters.get(name);
    }
}
