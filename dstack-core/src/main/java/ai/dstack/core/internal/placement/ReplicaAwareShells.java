package ai.dstack.core.internal.placement;

import ai.dstack.api.run.JobSpec;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.services.ServiceNetwork;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobShells;
import ai.dstack.spi.host.ShellRequest;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.UUID;

/**
 * The host's job shells, except that a service replica's own port is reached where the replica listens: inside its
 * network namespace, through the engine's loopback bridge, not on the host's loopback (where another replica may
 * hold the same port number).
 */
public final class ReplicaAwareShells implements JobShells {
    private final JobShells host;
    private final ServiceNetwork network;
    private final EngineContext context;

    public ReplicaAwareShells(JobShells host, ServiceNetwork network, EngineContext context) {
        this.host = host;
        this.network = network;
        this.context = context;
    }

    @Override
    public Process open(JobHandle job, ShellRequest request) {
        return host.open(job, request);
    }

    @Override
    public void resize(Process shell, int columns, int rows) {
        host.resize(shell, columns, rows);
    }

    @Override
    public String workingDirectory(JobHandle job) {
        return host.workingDirectory(job);
    }

    @Override
    public boolean listensOn(JobHandle job, int port) {
        return isReplicaPort(job, port) ? network.accepts(UUID.fromString(job.jobId()), port) : host.listensOn(job, port);
    }

    @Override
    public InetSocketAddress portAddress(JobHandle job, int port) {
        return isReplicaPort(job, port) ? network.upstream(UUID.fromString(job.jobId()), port) : host.portAddress(job, port);
    }

    @Override
    public void endLeftovers(JobHandle job) {
        host.endLeftovers(job);
    }

    private boolean isReplicaPort(JobHandle job, int port) {
        if (!network.isolated()) {
            return false;
        }
        UUID id;
        try {
            id = UUID.fromString(job.jobId());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return context.store.inReadOnlyTransaction(tx -> tx.jobs().find(id))
                .map(row -> Objects.equals(Json.read(row.jobSpecData(), JobSpec.class).servicePort(), port))
                .orElse(false);
    }
}
