package ai.dstack.cli;

import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import ai.dstack.spi.backend.BackendConfiguration;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Configures a cloud backend on a test server through the application layer, as {@code backends/create} does. */
final class TestBackends {
    private TestBackends() {}

    static void create(DstackServer server, String project, BackendConfiguration backend) {
        ObjectNode json = backend.config().deepCopy();
        json.set("creds", backend.creds());
        DstackEngine engine = server.engine();
        engine.app().createBackend(engine.app().authenticate(engine.adminToken()), project, json);
    }
}
