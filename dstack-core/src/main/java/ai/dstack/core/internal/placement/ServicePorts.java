package ai.dstack.core.internal.placement;

import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.services.ServiceNetwork;
import ai.dstack.spi.storage.JobRow;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the host cannot give replicas their own network namespaces, two replicas listening on one port cannot run
 * side by side: the port is the app's choice, so the later one waits until the port is free (or, once there are
 * other hosts, for one of them).
 */
public interface ServicePorts {
    /** Namespaces isolate replicas: nothing waits. */
    ServicePorts NONE = (job, spec, instanceId) -> Optional.empty();

    /** Why the job must wait (its port is taken on the instance), or empty when it may start there. */
    Optional<String> taken(JobRow job, JobSpec spec, UUID instanceId);

    static ServicePorts of(EngineContext context, ServiceNetwork network) {
        if (network.isolated()) {
            return NONE;
        }
        return (job, spec, instanceId) -> {
            Integer port = spec.servicePort();
            if (port == null) {
                return Optional.empty();
            }
            boolean busy = context.store.inReadOnlyTransaction(tx -> tx.jobs().listByInstance(instanceId)).stream()
                    .filter(other -> !other.id().equals(job.id()))
                    .filter(other -> JobStatus.fromWireValue(other.status()).isActive())
                    .anyMatch(other -> Objects.equals(Json.read(other.jobSpecData(), JobSpec.class).servicePort(), port));
            return busy ? Optional.of("Waiting for port " + port + " on fleet " + LocalFleet.NAME + ": this host cannot"
                    + " give replicas their own network, and another replica listens on that port") : Optional.empty();
        };
    }
}
