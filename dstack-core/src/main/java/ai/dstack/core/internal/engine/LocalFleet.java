package ai.dstack.core.internal.engine;

import ai.dstack.api.run.JobProvisioningData;
import java.util.UUID;

/**
 * The engine's own host as an on-prem instance of fleet {@code local}: dstack's wire format knows no local
 * backend, so it looks like an SSH fleet's host (backend and region {@code remote}).
 */
record LocalFleet(UUID projectId, UUID fleetId, UUID instanceId, String instanceName, HostShape shape) {
    static final String NAME = "local";
    static final String BACKEND = "remote";

    JobProvisioningData provisioningData() {
        return new JobProvisioningData(BACKEND, null, shape.instanceType(), instanceName, "127.0.0.1", "127.0.0.1",
                false, null, BACKEND, null, null, 0.0, System.getProperty("user.name", "root"), null, false, null,
                null, null);
    }
}
