package ai.dstack.core.internal.placement;

import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.services.ServiceNetwork;
import ai.dstack.spi.storage.JobRow;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the host cannot give replicas their own network namespaces (an SSH fleet's host always; the engine's own host
 * when namespaces are not available), two replicas listening on one port cannot run side by side: the port is the
 * app's choice, so the later one goes to another host or waits until the port is free.
 */
public interface ServicePorts {
    /** Namespaces isolate replicas: nothing waits. */
    ServicePorts NONE = (job, spec, option) -> Optional.empty();

    /** Why the job must wait (its port is taken on the option's instance), or empty when it may start there. */
    Optional<String> taken(JobRow job, JobSpec spec, Placement.Option option);

    static ServicePorts of(EngineContext context, ServiceNetwork network) {
        return (job, spec, option) -> {
            Integer port = spec.servicePort();
            if (port == null || (option.remote() == null && network.isolated())) {
                return Optional.empty();
            }
            boolean busy = context.store.inReadOnlyTransaction(tx -> tx.jobs().listByInstance(option.instanceId()))
                    .stream()
                    .filter(other -> !other.id().equals(job.id()))
                    .filter(other -> JobStatus.fromWireValue(other.status()).isActive())
                    .anyMatch(other -> Objects.equals(Json.read(other.jobSpecData(), JobSpec.class).servicePort(), port));
            String host = option.remote() == null ? "this host" : "host " + option.remote().display();
            return busy ? Optional.of("Waiting for port " + port + " on fleet " + option.fleetName() + ": " + host
                    + " cannot give replicas their own network, and another replica listens on that port")
                    : Optional.empty();
        };
    }
}
