package ai.dstack.core.internal.operations;

import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.offer.Gpu;
import ai.dstack.api.offer.InstanceOffer;
import ai.dstack.api.offer.InstanceType;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobMetricsPointRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.UserRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What dstack's Prometheus endpoint reports, read in one transaction: runs counted per project and user, active jobs
 * with their newest sample, and live instances. Plain values: the server turns them into Prometheus metrics.
 */
public final class ServerStatistics implements ai.dstack.core.app.ServerStatistics {
    private static final Set<JobStatus> ACTIVE_JOBS =
            Set.of(JobStatus.PROVISIONING, JobStatus.PULLING, JobStatus.RUNNING, JobStatus.TERMINATING);
    private static final Set<InstanceStatus> LIVE_INSTANCES = Set.of(InstanceStatus.PROVISIONING, InstanceStatus.IDLE,
            InstanceStatus.BUSY, InstanceStatus.TERMINATING);
    private static final int MAX_RUNS_PER_PROJECT = 1_000_000;


    private final EngineContext context;
    private final java.util.function.Supplier<java.time.Duration> collectionAge;

    public ServerStatistics(EngineContext context, java.util.function.Supplier<java.time.Duration> collectionAge) {
        this.context = context;
        this.collectionAge = collectionAge;
    }

    @Override
    public int queuedHints() {
        return context.queuedHints();
    }

    @Override
    public java.time.Duration metricsCollectionAge() {
        return collectionAge.get();
    }

    @Override
    public DatabaseWork databaseWork() {
        ai.dstack.spi.storage.StoreStatistics counted = context.store.statistics();
        return new DatabaseWork(counted.statements(), counted.writeTransactions());
    }

    @Override
    public Snapshot snapshot() {
        return context.store.inReadOnlyTransaction(tx -> {
            Map<UUID, String> users = new HashMap<>();
            for (UserRow user : tx.users().list()) {
                users.put(user.id(), user.deleted() && user.originalName() != null ? user.originalName() : user.name());
            }
            List<RunCounts> counts = new ArrayList<>();
            List<ActiveJob> jobs = new ArrayList<>();
            List<LiveInstance> instances = new ArrayList<>();
            List<ProjectRow> projects = tx.projects().list().stream().filter(p -> !p.deleted()).toList();
            for (ProjectRow project : projects) {
                Map<String, long[]> byUser = new TreeMap<>();
                List<JobRow> active = new ArrayList<>();
                Map<UUID, RunRow> runs = new HashMap<>();
                for (RunRow run : tx.runs().listByProject(project.id(), true, MAX_RUNS_PER_PROJECT)) {
                    long[] c = byUser.computeIfAbsent(users.getOrDefault(run.userId(), "?"), u -> new long[4]);
                    RunStatus status = RunStatus.fromWireValue(run.status());
                    c[0]++;
                    c[1] += status == RunStatus.TERMINATED ? 1 : 0;
                    c[2] += status == RunStatus.FAILED ? 1 : 0;
                    c[3] += status == RunStatus.DONE ? 1 : 0;
                    if (!status.isFinished()) {
                        runs.put(run.id(), run);
                        tx.jobs().listByRun(run.id()).stream()
                                .filter(j -> ACTIVE_JOBS.contains(JobStatus.fromWireValue(j.status())))
                                .forEach(active::add);
                    }
                }
                byUser.forEach((user, c) -> counts.add(new RunCounts(project.name(), user, c[0], c[1], c[2], c[3])));
                Map<UUID, JobMetricsPointRow> latest = tx.metrics().latest(active.stream().map(JobRow::id).toList());
                for (JobRow job : active) {
                    activeJob(project, users, runs.get(job.runId()), job, latest.get(job.id())).ifPresent(jobs::add);
                }
                Map<UUID, FleetRow> fleets = new HashMap<>();
                tx.fleets().listByProject(project.id()).forEach(f -> fleets.put(f.id(), f));
                for (InstanceRow instance : tx.instances().listByProject(project.id())) {
                    if (!instance.deleted() && LIVE_INSTANCES.contains(InstanceStatus.fromWireValue(instance.status()))) {
                        instances.add(liveInstance(project, fleets.get(instance.fleetId()), instance));
                    }
                }
            }
            return new Snapshot(counts, jobs, instances);
        });
    }

    private static Optional<ActiveJob> activeJob(ProjectRow project, Map<UUID, String> users, RunRow run, JobRow job,
            JobMetricsPointRow latest) {
        JobProvisioningData jpd = Json.read(job.jobProvisioningData(), JobProvisioningData.class);
        if (jpd == null || run == null) {
            return Optional.empty(); // dstack reports jobs once they have an instance
        }
        List<Gpu> gpus = jpd.instanceType().resources().gpus();
        String type = Json.read(run.runSpec(), RunSpec.class).configuration().type().wireValue();
        return Optional.of(new ActiveJob(project.name(), users.getOrDefault(run.userId(), "?"), run.runName(), run.id(),
                job.jobName(), job.id(), job.jobNum(), job.replicaNum(), type,
                jpd.baseBackend() != null ? jpd.baseBackend() : jpd.backend(), gpus.isEmpty() ? "" : gpus.get(0).name(),
                gpus.size(), jpd.instanceType().resources().cpus(), jpd.instanceType().resources().memoryMib() * 1024L * 1024,
                gpus.isEmpty() ? 0 : gpus.get(0).memoryMib() * 1024L * 1024, jpd.price(), job.submittedAt(), latest));
    }

    private static LiveInstance liveInstance(ProjectRow project, FleetRow fleet, InstanceRow instance) {
        InstanceOffer offer = Json.read(instance.offer(), InstanceOffer.class);
        InstanceType type = offer == null ? null : offer.instance();
        List<Gpu> gpus = type == null ? List.of() : type.resources().gpus();
        return new LiveInstance(project.name(), fleet == null ? "" : fleet.name(), fleet == null ? null : fleet.id(),
                instance.name(), instance.id(), type == null ? "" : type.name(),
                instance.backend() == null ? "" : instance.backend(), gpus.isEmpty() ? "" : gpus.get(0).name(),
                gpus.size(), instance.price() == null ? 0 : instance.price(), instance.createdAt());
    }
}
