package ai.dstack.core.internal.placement;

import ai.dstack.api.run.JobProvisioningData;
import java.util.UUID;

/**
 * The engine's own host as an on-prem instance of fleet {@code local}: dstack's wire format knows no local
 * backend, so it looks like an SSH fleet's host (backend and region {@code remote}).
 */
public record LocalFleet(UUID projectId, UUID fleetId, UUID instanceId, String instanceName, HostShape shape) {
    public static final String NAME = "local";
    public static final String BACKEND = "remote";

    public JobProvisioningData provisioningData() {
        return provisioningData(shape.blocks());
    }

    /** What a job holding {@code blocks} of the host's blocks runs on: its share of the host. */
    public JobProvisioningData provisioningData(int blocks) {
        return new JobProvisioningData(BACKEND, null, HostShape.share(shape.instanceType(), blocks, shape.blocks()),
                instanceName, "127.0.0.1", "127.0.0.1",
                false, null, BACKEND, null, null, 0.0, System.getProperty("user.name", "root"), null, false, null,
                null, null);
    }
}
