package ai.dstack.core.internal.placement;

import ai.dstack.spi.storage.StateStore;

/** Questions about SSH fleets' instances that several parts of the engine ask. */
public final class SshInstances {
    private SshInstances() {}

    /** Whether any SSH fleet's instance was ever created (deleted ones included: their jobs may still be read). */
    public static boolean anyExist(StateStore store) {
        return store.inReadOnlyTransaction(tx -> tx.projects().list().stream().anyMatch(project ->
                tx.instances().listByProject(project.id()).stream().anyMatch(i -> i.remoteConnectionInfo() != null)));
    }

    /**
     * The hostnames of the project's SSH fleet hosts whose probe found a container runtime (recorded as
     * {@code dockerized} in their provisioning data): jobs with an {@code image} can run there.
     */
    public static java.util.List<String> withContainers(StateStore store, java.util.UUID projectId) {
        return store.inReadOnlyTransaction(tx -> tx.instances().listByProject(projectId)).stream()
                .filter(i -> !i.deleted() && i.remoteConnectionInfo() != null && i.jobProvisioningData() != null)
                .map(i -> ai.dstack.core.internal.context.Json.read(i.jobProvisioningData(),
                        ai.dstack.api.run.JobProvisioningData.class))
                .filter(p -> LocalFleet.BACKEND.equals(p.backend()) && p.dockerized())
                .map(ai.dstack.api.run.JobProvisioningData::hostname).distinct().toList();
    }
}
