package ai.dstack.backend.gcp;

import ai.dstack.backend.gcp.internal.GcpBackend;
import ai.dstack.backend.gcp.internal.GcpSettings;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendProvider;

/** {@code type: gcp}: dstack's GCP backend fields, Compute Engine through google-cloud-compute over REST. */
public final class GcpBackendProvider implements BackendProvider {
    public static final String TYPE = "gcp";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Backend create(BackendConfiguration configuration) {
        return new GcpBackend(GcpSettings.read(configuration));
    }
}
