package ai.dstack.backend.gcp.testing;

import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendProviders;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Builds {@code gcp} backends on the fake GCE's projects, through the provider the engine would find. */
public final class GcpTestBackends {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GcpTestBackends() {}

    /** {@code {"type":"gcp","project_id":<id>,"regions":["us-central1"], ...extra}} with the service account key. */
    public static BackendConfiguration configuration(FakeGceProject project, String dstackProject, String extraJson) {
        FakeGce.shared();
        try {
            ObjectNode config = JSON.createObjectNode().put("type", "gcp").put("project_id", project.id());
            config.putArray("regions").add("us-central1");
            if (extraJson != null) {
                config.setAll((ObjectNode) JSON.readTree(extraJson));
            }
            ObjectNode creds = JSON.createObjectNode().put("type", "service_account")
                    .put("data", project.serviceAccountJson());
            return new BackendConfiguration(dstackProject, config, creds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Backend backend(FakeGceProject project, String dstackProject, String extraJson) {
        return BackendProviders.find("gcp").orElseThrow().create(configuration(project, dstackProject, extraJson));
    }
}
