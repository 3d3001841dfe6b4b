package ai.dstack.core.internal.operations;

import ai.dstack.api.configuration.ServiceConfiguration;
import ai.dstack.api.configuration.ServiceModel;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.pipeline.ProbeRunner;
import ai.dstack.core.internal.pipeline.RunProcessor;
import ai.dstack.core.internal.services.RequestRates;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What the service proxy needs from the engine: a project's active service runs, where their ready replicas
 * listen, the models they publish, and a place to count requests for the autoscaler.
 */
public final class ServiceEndpoints {
    private final EngineContext context;
    private final ProbeRunner probes;
    private final RequestRates rates;

    public ServiceEndpoints(EngineContext context, ProbeRunner probes, RequestRates rates) {
        this.context = context;
        this.probes = probes;
        this.rates = rates;
    }

    /**
     * A service run as the proxy sees it.
     *
     * @param replicas the addresses of its ready replicas, in replica order; empty while none is ready
     * @param model the model it publishes, or null
     */
    public record Target(UUID runId, UUID projectId, String projectName, String runName, Instant submittedAt,
            boolean auth, boolean stripPrefix, ServiceModel model, List<InetSocketAddress> replicas) {}

    /** The active service run of that name in the project, or empty (no such run, finished, or not a service). */
    public Optional<Target> find(ProjectRow project, String runName) {
        return context.store.inReadOnlyTransaction(tx -> tx.runs().findByName(project.id(), runName))
                .filter(run -> !RunStatus.fromWireValue(run.status()).isFinished())
                .flatMap(run -> target(project, run));
    }

    /** The models the project's active services publish, newest run first. */
    public List<Target> models(ProjectRow project) {
        List<RunRow> runs = context.store.inReadOnlyTransaction(tx -> tx.runs().listByProject(project.id(), false, Integer.MAX_VALUE));
        List<Target> out = new ArrayList<>();
        for (RunRow run : runs) {
            if (!RunStatus.fromWireValue(run.status()).isFinished()) {
                target(project, run).filter(t -> t.model() != null).ifPresent(out::add);
            }
        }
        return out;
    }

    /** One request reached the service (or was refused for lack of a replica): the autoscaler's input. */
    public void recordRequest(UUID runId) {
        rates.record(runId);
    }

    private Optional<Target> target(ProjectRow project, RunRow run) {
        RunSpec spec = Json.read(run.runSpec(), RunSpec.class);
        if (!(spec.configuration() instanceof ServiceConfiguration service)) {
            return Optional.empty();
        }
        List<JobRow> jobs = context.store.inReadOnlyTransaction(tx -> tx.jobs().listByRun(run.id()));
        List<InetSocketAddress> ready = new ArrayList<>();
        RunProcessor.latest(jobs).stream()
                .filter(j -> JobStatus.fromWireValue(j.status()) == JobStatus.RUNNING && probes.ready(j.id()))
                .sorted(Comparator.comparingInt(JobRow::replicaNum))
                .forEach(j -> probes.upstream(j.id()).ifPresent(ready::add));
        return Optional.of(new Target(run.id(), project.id(), project.name(), run.runName(), run.submittedAt(), service.auth(),
                service.stripPrefix(), service.model(), ready));
    }
}
