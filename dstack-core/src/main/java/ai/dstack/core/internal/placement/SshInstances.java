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
}
