package ai.dstack.server.internal;

import ai.dstack.core.app.Caller;
import ai.dstack.core.app.DstackApp;

/**
 * One API call after the checks that come before its handler: the application, the caller (null on open routes),
 * the project name in the path (null when there is none) and the body's fields.
 */
record Call(DstackApp app, Caller caller, String project, Fields body, Upload upload) {
    /** The uploaded file of a multipart route; null on other routes. */
    @Override
    public Upload upload() {
        return upload;
    }
}
