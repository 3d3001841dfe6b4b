package ai.dstack.core.internal.pipeline;

import ai.dstack.core.internal.context.DaemonThreads;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.Retry;
import ai.dstack.api.run.RetryEvent;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.cloud.CloudProvisioning;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.EngineSettings;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.placement.ClusterInfo;
import ai.dstack.core.internal.placement.JobLauncher;
import ai.dstack.core.internal.placement.Placement;
import ai.dstack.core.internal.placement.ServicePorts;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.ClaimFilter;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.WorkKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves jobs through submitted → provisioning → running → done/failed/terminated on the fleets' hosts. One step
 * handles the hinted jobs first, then what is due; each job is processed under its lease, and slow work (starting
 * a process) happens outside transactions.
 */
public final class JobProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(JobProcessor.class);
    private static final String OWNER_SUFFIX = "/jobs";

    private final EngineContext context;
    private final JobLauncher launcher;
    private final LogPump logPump;
    private final InactivityCheck inactivity;
    private final UtilizationCheck utilization;
    /** Samples this engine's running jobs; the engine starts and closes it. */
    private final MetricsCollector metrics;
    private final String owner;
    /** Which instances (the local fleet's, SSH fleets' hosts) can take a job. */
    private final Placement placement;
    /** Jobs whose exit this engine listens for; adopted jobs are added when first seen running. */
    private final Set<UUID> watched = ConcurrentHashMap.newKeySet();
    /**
     * Host calls (starting and signalling processes) take tens of milliseconds each, mostly waiting on fork and
     * exec; a few run at once so that the loop keeps claiming while they wait. The job's lease is held meanwhile.
     */
    private final ExecutorService hostCalls = DaemonThreads.pool(HOST_CALL_THREADS, "dstack-host-calls");
    /** The leases of the jobs in {@link #hostCalls}, kept alive until their calls end. */
    private final HostCallLeases hostCallLeases;
    /**
     * Finished jobs' file removals, apart from the host calls: a host that stopped answering holds a removal for the
     * SSH connection's grace period, and must not hold up the launches and checks of other jobs meanwhile.
     */
    private final ExecutorService removals = DaemonThreads.pool(2, "dstack-job-file-removal");
    private static final int HOST_CALL_THREADS = 6;
    /** Set when a job waits for capacity, so freed capacity only costs a claim when someone waits for it. */
    private volatile boolean someoneWaits = true;
    private Instant lastSweep = Instant.EPOCH;
    /**
     * When the head of the queue was last looked at without an event. Waiting jobs are not swept (a sweep would claim
     * and write every one of them): this safety net for a lost wake-up costs the same with 10 or 10,000 waiting.
     */
    private Instant lastHeadCheck = Instant.EPOCH;
    /** How many of the first waiting jobs the safety net looks at, as if that many blocks had been freed. */
    private static final int HEAD_OF_QUEUE = 8;
    /** Until the first pass is through, everything active is due: a restarted engine adopts its jobs at once. */
    private boolean adopting = true;

    /** Where service replicas share the host's network, a port taken by one replica keeps the next one waiting. */
    private ServicePorts servicePorts = ServicePorts.NONE;

    /** Cloud instances for jobs no existing instance can take; null for none. */
    private CloudProvisioning cloud;

    public JobProcessor(EngineContext context, Placement placement, JobLauncher launcher, LogPump logPump,
            ServicePorts servicePorts, CloudProvisioning cloud) {
        this(context, placement, launcher, logPump);
        this.servicePorts = servicePorts;
        this.cloud = cloud;
    }

    JobProcessor(EngineContext context, Placement placement, JobLauncher launcher, LogPump logPump) {
        this.context = context;
        this.placement = placement;
        this.launcher = launcher;
        this.logPump = logPump;
        this.inactivity = new InactivityCheck(context);
        this.utilization = new UtilizationCheck(context);
        this.metrics = new MetricsCollector(context);
        this.hostCallLeases = new HostCallLeases(context);
        this.owner = context.settings.owner() + OWNER_SUFFIX;
    }

    public MetricsCollector metricsCollector() {
        return metrics;
    }

    /** One step of the job loop; true when it found work, so the loop goes on at once. */
    public boolean step() {
        context.fireDueTimers();
        boolean worked = false;
        // A burst of hints (submissions, exits) is claimed with one write, not one per job.
        for (List<UUID> hints = context.nextJobHints(context.settings.batch()); !hints.isEmpty();
                hints = context.nextJobHints(context.settings.batch())) {
            List<Claim<JobRow>> claims = context.store.claimAll(WorkKind.JOBS, hints, now(), owner, context.settings.lease());
            Set<UUID> claimed = new HashSet<>();
            claims.forEach(claim -> claimed.add(claim.row().id()));
            for (UUID hint : hints) {
                if (!claimed.contains(hint)) {
                    retryHintIfLeased(hint);
                }
            }
            processAll(claims, false);
            worked |= !claims.isEmpty();
        }
        int freed = context.takeCapacityFreed();
        if (someoneWaits && Duration.between(lastHeadCheck, now()).compareTo(context.settings.capacityRetry()) >= 0) {
            lastHeadCheck = now();
            freed = Math.max(freed, HEAD_OF_QUEUE);
        }
        if (freed > 0 && someoneWaits) {
            // Each job takes at least one block, so no more waiting jobs than blocks freed can start: only those are
            // claimed (highest priority, then oldest), and the cost of a freed block does not grow with the queue.
            ClaimFilter waiting = ClaimFilter.due(Duration.ZERO, JobStatus.SUBMITTED.wireValue()).highestPriorityFirst();
            List<Claim<JobRow>> claims = context.store.claimDue(WorkKind.JOBS, waiting, now(),
                    Math.min(freed, context.settings.batch()), owner, context.settings.lease());
            someoneWaits = !claims.isEmpty();
            processAll(claims, false);
            worked |= !claims.isEmpty();
        }
        // Hints carry the normal path; the sweep is the safety net and runs at its own pace.
        if (!adopting && Duration.between(lastSweep, now()).compareTo(context.settings.sweep()) < 0) {
            return worked;
        }
        lastSweep = now();
        Duration running = adopting ? Duration.ZERO : context.settings.runningCheck();
        // Waiting jobs are left out: freed capacity wakes as many as it can take, their deadlines are timers, and the
        // head check above catches a lost wake-up. A restarted engine looks at each once, to arm those timers; after
        // that only a job nobody looked at for the safety net's interval (its replica died with its timers).
        ClaimFilter due = ClaimFilter.due(adopting ? Duration.ZERO : EngineSettings.WAITING_SAFETY_NET,
                        JobStatus.SUBMITTED.wireValue())
                .or(running, JobStatus.PROVISIONING.wireValue(), JobStatus.PULLING.wireValue(), JobStatus.RUNNING.wireValue())
                .or(adopting ? Duration.ZERO : Duration.ofSeconds(1), JobStatus.TERMINATING.wireValue())
                .highestPriorityFirst();
        List<Claim<JobRow>> claims = context.store.claimDue(WorkKind.JOBS, due, now(), context.settings.batch(), owner, context.settings.lease());
        processAll(claims, true);
        boolean full = claims.size() == context.settings.batch();
        adopting &= full;
        return worked || full;
    }

    /**
     * A claimed job and its spec, parsed once when the row was read and passed along through the step.
     *
     * @param recheck claimed by the sweep: a waiting job's row is written (its {@code last_processed_at} moves on, so
     *     the sweep goes on to other rows); claimed for an event, a job that goes on waiting is left as it is
     */
    private record Work(Claim<JobRow> claim, JobSpec spec, boolean recheck) {
        JobRow job() {
            return claim.row();
        }
    }

    /** Submitted jobs are placed together in one transaction, in the claims' order; the others one by one. */
    private void processAll(List<Claim<JobRow>> claims, boolean recheck) {
        List<Work> submitted = new ArrayList<>();
        for (Claim<JobRow> claim : claims) {
            JobSpec spec;
            try {
                spec = Json.read(claim.row().jobSpecData(), JobSpec.class);
            } catch (RuntimeException e) {
                LOG.error("Job {} ({}) has a spec that cannot be read; it will be retried", claim.row().jobName(),
                        claim.row().id(), e);
                release(claim);
                continue;
            }
            Work work = new Work(claim, spec, recheck);
            if (!JobStatus.SUBMITTED.wireValue().equals(claim.row().status())) {
                process(work);
            } else if (servicePorts != ServicePorts.NONE && spec.servicePort() != null) {
                assignAll(List.of(work)); // the port check must see the previous replica's placement
            } else {
                submitted.add(work);
            }
        }
        if (!submitted.isEmpty()) {
            assignAll(submitted);
        }
    }

    /** A hint that found its job leased (a host call still holds it) must not be lost: the event would be. */
    private void retryHintIfLeased(UUID jobId) {
        boolean active = context.store.inReadOnlyTransaction(tx -> tx.jobs().find(jobId))
                .map(row -> JobStatus.fromWireValue(row.status()).isActive()).orElse(false);
        if (active) {
            context.hintJobSoon(jobId);
        }
    }

    private void process(Work work) {
        Claim<JobRow> claim = work.claim();
        JobRow job = claim.row();
        JobSpec spec = work.spec();
        try {
            JobStatus status = JobStatus.fromWireValue(job.status());
            switch (status) {
                case SUBMITTED -> assignAll(List.of(work));
                case PROVISIONING, PULLING -> onHost(claim, () -> launch(claim, job, spec, null, null));
                // Reading a process's status and its last output is host work too: it runs beside the loop.
                case RUNNING -> {
                    if (cloud != null && cloud.interrupted(job.id())) {
                        fail(claim, spec, JobTerminationReason.INTERRUPTED_BY_NO_CAPACITY,
                                "The cloud took the job's instance back");
                    } else {
                        onHost(claim, () -> checkRunning(claim, job, spec));
                    }
                }
                case TERMINATING -> onHost(claim, () -> terminate(claim, job, spec));
                default -> release(claim);
            }
        } catch (RuntimeException e) {
            LOG.error("Processing job {} ({}) failed; it will be retried", job.jobName(), job.id(), e);
            release(claim);
        }
    }

    // submitted: find capacity on a fleet's instance, or wait for it, or fail.

    /** A submitted job, its run and the instances that could take it, in the order to try them. */
    private record Candidate(Claim<JobRow> claim, JobSpec spec, RunRow run, RunSpec runSpec, List<Placement.Option> options,
            boolean recheck) {
        /** The key of the job's replica for a multi-node run, whose nodes need distinct hosts; null otherwise. */
        String nodesKey() {
            return MultiNode.applies(spec) ? claim.row().runId() + "/" + claim.row().replicaNum() : null;
        }
    }

    /** What placing a candidate came to, and the job's row and the chosen instance when it got one. */
    private record Outcome(Assignment assignment, JobRow provisioning, Placement.Option placedOn) {}

    /** Places the jobs in one transaction, in the claims' order (priority first when the claims came so). */
    private void assignAll(List<Work> works) {
        Instant now = now();
        // Each run is read (and its spec parsed) once for the step: placement, the capacity wait and the launch use it.
        Map<UUID, RunRow> runs;
        try {
            runs = readRuns(works);
        } catch (RuntimeException e) {
            LOG.error("Reading the runs of {} jobs to place failed; they will be retried", works.size(), e);
            works.forEach(work -> release(work.claim()));
            return;
        }
        Map<UUID, RunSpec> runSpecs = new HashMap<>();
        // The submitters' roles, read once per user for the step (they decide who may use the local fleet).
        Map<UUID, Optional<ai.dstack.spi.storage.UserRow>> users = new HashMap<>();
        java.util.function.Function<UUID, Optional<ai.dstack.spi.storage.UserRow>> user = id -> users.computeIfAbsent(
                id, key -> context.store.inReadOnlyTransaction(tx -> tx.users().find(key)));
        List<Candidate> candidates = new ArrayList<>();
        for (Work work : works) {
            Claim<JobRow> claim = work.claim();
            try {
                RunRow run = runs.get(claim.row().runId());
                RunSpec runSpec = run == null ? null
                        : runSpecs.computeIfAbsent(run.id(), id -> Json.read(run.runSpec(), RunSpec.class));
                Candidate candidate = candidate(work, run, runSpec, user, now);
                if (candidate != null) {
                    candidates.add(candidate);
                }
            } catch (RuntimeException e) {
                LOG.error("Placing job {} ({}) failed; it will be retried", claim.row().jobName(), claim.row().id(), e);
                release(claim);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        List<Outcome> outcomes;
        try {
            outcomes = context.store.inTransaction(tx -> {
                List<Outcome> results = new ArrayList<>();
                Map<String, Set<UUID>> hostsTaken = new HashMap<>(); // by the nodes of a replica placed in this step
                // One state of the instances for the whole batch: a block freed meanwhile goes to the next batch,
                // whose first job is the highest waiting, not to a later job of this one.
                Set<UUID> instances = new HashSet<>();
                candidates.forEach(candidate -> candidate.options().forEach(option -> instances.add(option.instanceId())));
                tx.instances().lockAll(instances);
                for (Candidate candidate : candidates) {
                    results.add(place(tx, candidate, now, hostsTaken));
                }
                return results;
            });
        } catch (RuntimeException e) {
            LOG.error("Placing {} jobs failed; they will be retried", candidates.size(), e);
            candidates.forEach(candidate -> release(candidate.claim()));
            return;
        }
        for (int i = 0; i < candidates.size(); i++) {
            Candidate candidate = candidates.get(i);
            Claim<JobRow> claim = candidate.claim();
            Outcome outcome = outcomes.get(i);
            switch (outcome.assignment()) {
                // The run hears of it when the process runs (milliseconds later): one pass of the run instead of two.
                case ASSIGNED -> {
                    if (candidate.nodesKey() != null) {
                        hintOtherNodes(outcome.provisioning(), candidate.spec()); // they wait for this one's host
                    }
                    onHost(claim, () -> launch(claim, outcome.provisioning(), candidate.spec(),
                            candidate, outcome.placedOn()));
                }
                case LEASE_LOST -> LOG.warn("Job {} changed hands while being assigned; leaving it to its new owner",
                        claim.row().jobName());
                case NO_CAPACITY -> noCapacity(claim, candidate, now);
            }
        }
    }

    /** Reserves blocks on the first instance with room and moves the job there, in the caller's transaction. */
    private Outcome place(StoreTransaction tx, Candidate candidate, Instant now, Map<String, Set<UUID>> hostsTaken) {
        String nodesKey = candidate.nodesKey();
        Set<UUID> taken = nodesKey == null ? Set.of() : hostsTaken.computeIfAbsent(nodesKey, key -> new HashSet<>());
        for (Placement.Option option : candidate.options()) {
            if (option.remote() != null && taken.contains(option.instanceId())) {
                continue; // another node of the replica just took this host
            }
            if (!tx.instances().adjustBusyBlocks(option.instanceId(), option.blocks(), now)) {
                continue;
            }
            JobRow provisioning = candidate.claim().row().toBuilder()
                    .status(JobStatus.PROVISIONING.wireValue())
                    .fleetId(option.fleetId())
                    .instanceId(option.instanceId())
                    .usedInstanceId(option.instanceId())
                    .instanceAssigned(true)
                    .jobProvisioningData(Json.write(option.provisioningData()))
                    .terminationReasonMessage(null)
                    .lastProcessedAt(now)
                    .build();
            if (tx.jobs().update(provisioning, candidate.claim().lease())) {
                context.events.jobChanged(tx, candidate.claim().row(), provisioning);
                if (nodesKey != null) {
                    taken.add(option.instanceId());
                }
                return new Outcome(Assignment.ASSIGNED, provisioning, option);
            }
            tx.instances().adjustBusyBlocks(option.instanceId(), -option.blocks(), now);
            return new Outcome(Assignment.LEASE_LOST, null, null);
        }
        return new Outcome(Assignment.NO_CAPACITY, null, null);
    }

    /** The runs of the jobs, in one read. */
    private Map<UUID, RunRow> readRuns(List<Work> works) {
        Set<UUID> ids = new LinkedHashSet<>();
        works.forEach(work -> ids.add(work.job().runId()));
        return context.store.inReadOnlyTransaction(tx -> {
            Map<UUID, RunRow> found = new HashMap<>();
            tx.runs().findAll(ids).forEach(run -> found.put(run.id(), run));
            return found;
        });
    }

    /** The instances that could take the job, or null when none ever could (then it has been failed) or it waits. */
    private Candidate candidate(Work work, RunRow run, RunSpec runSpec,
            java.util.function.Function<UUID, Optional<ai.dstack.spi.storage.UserRow>> users, Instant now) {
        Claim<JobRow> claim = work.claim();
        JobRow job = claim.row();
        JobSpec spec = work.spec();
        boolean localServes = placement.localServes(job, run, users);
        if (!placement.anyFleet(job, localServes)) {
            toCloud(claim, spec, now, "No matching fleet found. " + placement.noFleetReason(job));
            return null;
        }
        List<Placement.Option> options = placement.options(job, localServes, runSpec, spec.requirements());
        if (options.isEmpty()) {
            toCloud(claim, spec, now,
                    "No matching fleet found. " + placement.noMatchReason(spec.requirements().resources()));
            return null;
        }
        List<Placement.Option> free = new ArrayList<>();
        String portTaken = null;
        for (Placement.Option option : options) {
            Optional<String> taken = servicePorts.taken(job, spec, option);
            if (taken.isPresent()) {
                portTaken = taken.get();
            } else {
                free.add(option);
            }
        }
        if (free.isEmpty()) {
            someoneWaits = true;
            keepWaiting(claim, portTaken, now, work.recheck(), null);
            return null;
        }
        if (MultiNode.applies(spec)) {
            free = nodeOptions(work, run, free, now);
            if (free == null) {
                return null;
            }
        }
        return new Candidate(claim, spec, run, runSpec, free, work.recheck());
    }

    /**
     * A multi-node run's job takes a host no other node of its replica holds; a worker waits for the master's host
     * and goes to the master's fleet. The master prefers fleets with a host for every node. Null when the job waits
     * or failed.
     */
    private List<Placement.Option> nodeOptions(Work work, RunRow run, List<Placement.Option> options, Instant now) {
        JobRow job = work.job();
        JobSpec spec = work.spec();
        MultiNode nodes = MultiNode.of(job, spec, context.store.inReadOnlyTransaction(tx -> tx.jobs().listByRun(job.runId())));
        List<UUID> taken = nodes.hostsOfOthers(job);
        List<Placement.Option> distinct = options.stream()
                .filter(option -> option.remote() == null || !taken.contains(option.instanceId())).toList();
        if (job.jobNum() == 0) {
            Map<UUID, Long> hostsPerFleet = distinct.stream().collect(java.util.stream.Collectors.groupingBy(
                    Placement.Option::fleetId, java.util.stream.Collectors.counting()));
            List<Placement.Option> preferred = new ArrayList<>(distinct);
            preferred.sort(java.util.Comparator.comparing((Placement.Option option) -> option.remote() != null
                    && hostsPerFleet.get(option.fleetId()) < spec.jobsPerReplica()));
            return preferred;
        }
        Optional<JobRow> master = nodes.placedMaster();
        if (master.isEmpty()) {
            someoneWaits = true;
            keepWaiting(work.claim(), "Waiting for the master node (rank 0) to get a host", now, work.recheck(), null);
            return null;
        }
        List<Placement.Option> inFleet = distinct.stream()
                .filter(option -> option.fleetId().equals(master.get().fleetId())).toList();
        if (!inFleet.isEmpty()) {
            return inFleet;
        }
        String fleet = options.stream().filter(o -> o.fleetId().equals(master.get().fleetId()))
                .map(Placement.Option::fleetName).findFirst().orElse("of the master node");
        noHostForNode(work.claim(), spec, run, fleet, now, work.recheck());
        return null;
    }

    /** A worker found no free host of its own in the master's fleet: it waits when its retry allows, else it fails. */
    private void noHostForNode(Claim<JobRow> claim, JobSpec spec, RunRow run, String fleet, Instant now, boolean recheck) {
        int rank = claim.row().jobNum();
        if (waitsForCapacity(spec, run)) {
            someoneWaits = true;
            keepWaiting(claim, "Waiting for a free host in fleet " + fleet + " for node " + rank, now, recheck,
                    retryDeadline(spec, run));
            return;
        }
        fail(claim, spec, JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY, "Fleet " + fleet
                + " has no free host for node " + rank + " of " + spec.jobsPerReplica()
                + ": each node of a multi-node run needs a host of its own in the master node's fleet");
    }

    /**
     * No existing instance can take the job: a cloud backend may make one (the job waits for it), or fails it with
     * what it tried; without cloud backends the job fails with {@code noPlace}.
     */
    private void toCloud(Claim<JobRow> claim, JobSpec spec, Instant now, String noPlace) {
        JobRow job = claim.row();
        CloudProvisioning.Decision decision = cloud == null ? new CloudProvisioning.Decision(
                CloudProvisioning.Decision.Kind.NONE, null) : cloud.request(job, spec);
        switch (decision.kind()) {
            case WAIT -> {
                someoneWaits = true;
                updateAndRelease(claim, job.toBuilder().lastProcessedAt(now).skipMinProcessingInterval(false)
                        .terminationReasonMessage(decision.message()).build());
                context.hintRun(job.runId());
                context.hintJobAt(job.id(), now.plus(context.settings.capacityRetry())); // the cloud's answer may change
            }
            case FAIL -> fail(claim, spec, JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY, decision.message());
            case INTERRUPTED -> fail(claim, spec, JobTerminationReason.INTERRUPTED_BY_NO_CAPACITY, decision.message());
            case NONE -> fail(claim, spec, JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY, noPlace);
        }
    }

    private void noCapacity(Claim<JobRow> claim, Candidate candidate, Instant now) {
        JobRow job = claim.row();
        String fleets = String.join(", ", candidate.options().stream().map(Placement.Option::fleetName).distinct().toList());
        if (candidate.nodesKey() != null && job.jobNum() != 0) {
            noHostForNode(claim, candidate.spec(), candidate.run(), fleets, now, candidate.recheck());
            return;
        }
        if (waitsForCapacity(candidate.spec(), candidate.run())) {
            someoneWaits = true;
            keepWaiting(claim, "Waiting for capacity on fleet " + fleets, now, candidate.recheck(),
                    retryDeadline(candidate.spec(), candidate.run()));
            return;
        }
        if (replacesAnOldReplica(job, candidate.spec())) {
            // A rolling update with no room to surge: failing would fail the run and take the service down. Wait;
            // the run's pass stops an old replica to make room when another one keeps serving.
            someoneWaits = true;
            updateAndRelease(claim, job.toBuilder().lastProcessedAt(now).skipMinProcessingInterval(false)
                    .terminationReasonMessage(ServiceReplicas.NO_ROOM_TO_SURGE + fleets).build());
            context.hintRun(job.runId());
            context.hintJobAt(job.id(), now.plus(context.settings.capacityRetry()));
            return;
        }
        // a cloud fleet with a `nodes` range may grow for the job: it waits for the new instance
        Optional<CloudProvisioning.Decision> grown = cloud == null ? Optional.empty()
                : cloud.growFleet(job, candidate.spec());
        if (grown.isPresent()) {
            someoneWaits = true;
            keepWaiting(claim, grown.get().message(), now, candidate.recheck(), now.plus(context.settings.capacityRetry()));
            return;
        }
        fail(claim, candidate.spec(), JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY,
                "Fleet " + fleets + " has no free capacity for this job");
    }

    /**
     * The job waits (for capacity, or for a port). Its row is written when it starts waiting (the message tells its
     * run to show "retrying") and when a restarted engine's first sweep looks at it; a job that was already waiting
     * with the same message is only let go: waiting jobs are not rewritten each time capacity frees and they do not
     * fit. {@code wakeAt}, when not null, is when it must be looked at without an event (its retry deadline).
     */
    private void keepWaiting(Claim<JobRow> claim, String message, Instant now, boolean recheck, Instant wakeAt) {
        JobRow job = claim.row();
        if (wakeAt != null) {
            context.hintJobAt(job.id(), wakeAt);
        }
        boolean alreadyWaiting = java.util.Objects.equals(message, job.terminationReasonMessage());
        if (alreadyWaiting && !recheck) {
            release(claim);
            return;
        }
        updateAndRelease(claim, job.toBuilder().lastProcessedAt(now).skipMinProcessingInterval(false)
                .terminationReasonMessage(message).build());
        if (!alreadyWaiting) {
            context.hintRun(job.runId());
        }
    }

    private enum Assignment { ASSIGNED, NO_CAPACITY, LEASE_LOST }

    /**
     * Runs a host call off the loop thread; whatever happens, the job's lease is let go afterwards. Until then it is
     * extended, however long the call waits and takes.
     */
    private void onHost(Claim<JobRow> claim, Runnable call) {
        hostCallLeases.hold(claim.lease());
        try {
            hostCalls.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException e) {
                    LOG.error("Host call for job {} failed; it will be retried", claim.row().jobName(), e);
                    release(claim);
                } finally {
                    hostCallLeases.letGo(claim.lease());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            hostCallLeases.letGo(claim.lease()); // the engine is closing: the lease expires, another replica goes on
            throw e;
        }
    }

    public void close() {
        hostCalls.shutdown();
        removals.shutdown();
        try {
            hostCalls.awaitTermination(10, TimeUnit.SECONDS);
            removals.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            hostCallLeases.close();
        }
    }

    /** Whether the job is a service replica of a newer deployment while replicas of an older one still run. */
    private boolean replacesAnOldReplica(JobRow job, JobSpec spec) {
        if (spec.servicePort() == null) {
            return false;
        }
        return context.store.inReadOnlyTransaction(tx -> tx.jobs().listByRun(job.runId())).stream()
                .anyMatch(other -> other.deploymentNum() < job.deploymentNum()
                        && !JobStatus.fromWireValue(other.status()).isFinished());
    }

    /** When a job waiting for capacity stops waiting (just past its retry duration): it is looked at then. */
    private static Instant retryDeadline(JobSpec spec, RunRow run) {
        return run.submittedAt().plusSeconds(spec.retry().duration() + 1);
    }

    /** dstack keeps retrying a no-capacity job while the run is younger than the retry duration. */
    private boolean waitsForCapacity(JobSpec spec, RunRow run) {
        Retry retry = spec.retry();
        if (retry == null || !retry.onEvents().contains(RetryEvent.NO_CAPACITY)) {
            return false;
        }
        long limit = retry.duration();
        return run != null && Duration.between(run.submittedAt(), now()).getSeconds() <= limit;
    }

    // provisioning: start the process (again after a crash between assignment and start).

    /**
     * @param placed the job's placement when it was placed in this step (then it is started where the placement chose,
     *     with the run read for it); null for a job placed earlier, whose process may already exist
     */
    private void launch(Claim<JobRow> claim, JobRow job, JobSpec spec, Candidate placed, Placement.Option placedOn) {
        JobHandle handle = new JobHandle(job.id().toString());
        boolean fresh = placed != null;
        boolean exists = !fresh && !(context.host.status(handle) instanceof ai.dstack.spi.host.HostJobState.Lost);
        Instant startedAt = now();
        if (!exists) {
            try {
                RunRow run = fresh ? placed.run() : run(job.runId());
                if (run == null) {
                    throw new IllegalStateException("run of job " + job.jobName() + " is gone");
                }
                RunSpec runSpec = fresh ? placed.runSpec() : Json.read(run.runSpec(), RunSpec.class);
                ClusterInfo cluster = null;
                if (MultiNode.applies(spec)) {
                    Optional<ClusterInfo> ready = MultiNode.of(job, spec, context.store.inReadOnlyTransaction(
                            tx -> tx.jobs().listByRun(job.runId()))).readyToStart(job);
                    if (ready.isEmpty()) {
                        release(claim); // placed; it starts when the other nodes have hosts (and the master runs)
                        return;
                    }
                    cluster = ready.get();
                }
                launcher.start(job, spec, run, runSpec, placedOn, cluster, handle);
            } catch (ai.dstack.core.internal.cloud.VolumeAttachments.VolumeError e) {
                markFinished(claim, job, spec, e.getMessage(), JobTerminationReason.VOLUME_ERROR);
                return;
            } catch (HostExecutionException | IllegalArgumentException e) {
                // The row as assigned (not the claim's, from before): its blocks go back to the instance.
                markFinished(claim, job, spec, e.getMessage(), JobTerminationReason.CREATING_CONTAINER_ERROR);
                return;
            }
        }
        watch(job.id(), handle);
        // dstack's pulling: the host is fetching the job's image (its progress goes to the job's logs meanwhile);
        // the job is looked at again until the container starts.
        JobStatus next = context.host.pulling(handle) ? JobStatus.PULLING : JobStatus.RUNNING;
        if (next == JobStatus.PULLING && JobStatus.fromWireValue(job.status()) == JobStatus.PULLING) {
            updateAndRelease(claim, job.toBuilder().lastProcessedAt(startedAt).build());
            logPump.track(job);
            return;
        }
        JobRow running = job.toBuilder().status(next.wireValue())
                .startedAt(next == JobStatus.RUNNING || job.startedAt() == null ? startedAt : job.startedAt())
                .lastProcessedAt(startedAt).skipMinProcessingInterval(false).build();
        updateAndRelease(claim, job, running);
        logPump.track(running);
        metrics.track(running, spec.utilizationPolicy() != null);
        context.hintRun(job.runId());
        if (MultiNode.applies(spec) && job.jobNum() == 0) {
            hintOtherNodes(job, spec); // the workers start once the master runs
        }
    }

    private void hintOtherNodes(JobRow job, JobSpec spec) {
        MultiNode.of(job, spec, context.store.inReadOnlyTransaction(tx -> tx.jobs().listByRun(job.runId())))
                .others(job).forEach(context::hintJob);
    }

    private void watch(UUID jobId, JobHandle handle) {
        if (watched.add(jobId)) {
            context.host.onFinished(handle).whenComplete((status, error) -> {
                watched.remove(jobId);
                context.hintJob(jobId);
            });
        }
    }

    // running: the process exited, ran past max_duration, or is still going.

    private void checkRunning(Claim<JobRow> claim, JobRow job, JobSpec spec) {
        JobHandle handle = new JobHandle(job.id().toString());
        ai.dstack.spi.host.HostJobState hostStatus = context.host.status(handle);
        if (hostStatus instanceof ai.dstack.spi.host.HostJobState.Running) {
            watch(job.id(), handle);
            logPump.track(job);
            metrics.track(job, spec.utilizationPolicy() != null);
            Instant started = job.startedAt() != null ? job.startedAt() : job.submittedAt();
            if (spec.maxDuration() != null && Duration.between(started, now()).getSeconds() >= spec.maxDuration()) {
                JobRow stopping = job.toBuilder().status(JobStatus.TERMINATING.wireValue())
                        .terminationReason(JobTerminationReason.MAX_DURATION_EXCEEDED.wireValue())
                        .terminationReasonMessage("Job exceeded max_duration of " + spec.maxDuration() + "s")
                        .removeAt(now()).lastProcessedAt(now()).runnerTimestamp(logPump.offset(job)).build();
                context.host.stop(handle, stopGrace(spec));
                updateAndRelease(claim, stopping);
                context.hintRun(job.runId());
                return;
            }
            Optional<String> idle = inactivity.exceeded(job);
            if (idle.isPresent()) {
                context.host.stop(handle, stopGrace(spec));
                updateAndRelease(claim, job.toBuilder().status(JobStatus.TERMINATING.wireValue())
                        .terminationReason(JobTerminationReason.INACTIVITY_DURATION_EXCEEDED.wireValue())
                        .terminationReasonMessage(idle.get())
                        .removeAt(now()).lastProcessedAt(now()).runnerTimestamp(logPump.offset(job)).build());
                context.hintRun(job.runId());
                return;
            }
            Optional<String> idleGpus = utilization.violated(job, spec.utilizationPolicy());
            if (idleGpus.isPresent()) {
                context.host.stop(handle, stopGrace(spec));
                updateAndRelease(claim, job.toBuilder().status(JobStatus.TERMINATING.wireValue())
                        .terminationReason(JobTerminationReason.TERMINATED_DUE_TO_UTILIZATION_POLICY.wireValue())
                        .terminationReasonMessage(idleGpus.get())
                        .removeAt(now()).lastProcessedAt(now()).runnerTimestamp(logPump.offset(job)).build());
                context.hintRun(job.runId());
                return;
            }
            updateAndRelease(claim, job.toBuilder().lastProcessedAt(now()).runnerTimestamp(logPump.offset(job)).build());
            return;
        }
        finish(claim, job, spec, hostStatus, null);
    }

    // terminating: signal the process once, then wait for its exit.

    private void terminate(Claim<JobRow> claim, JobRow job, JobSpec spec) {
        JobTerminationReason reason = JobTerminationReason.fromWireValue(job.terminationReason());
        if (!job.instanceAssigned()) {
            markFinished(claim, job, spec, null, reason);
            return;
        }
        JobHandle handle = new JobHandle(job.id().toString());
        ai.dstack.spi.host.HostJobState hostStatus = context.host.status(handle);
        if (hostStatus instanceof ai.dstack.spi.host.HostJobState.Running) {
            watch(job.id(), handle);
            if (job.removeAt() == null) {
                if (reason == JobTerminationReason.ABORTED_BY_USER) {
                    context.host.kill(handle);
                } else {
                    context.host.stop(handle, stopGrace(spec));
                }
                updateAndRelease(claim, job.toBuilder().removeAt(now()).lastProcessedAt(now()).build());
                return;
            }
            release(claim);
            return;
        }
        finish(claim, job, spec, hostStatus, reason);
    }

    private Duration stopGrace(JobSpec spec) {
        return Duration.ofSeconds(spec.stopDuration() == null ? 300 : Math.max(0, spec.stopDuration()));
    }

    /** The process is gone: store its last logs and exit code, and give its blocks back. */
    private void finish(Claim<JobRow> claim, JobRow job, JobSpec spec, ai.dstack.spi.host.HostJobState hostStatus,
            JobTerminationReason reason) {
        logPump.drain(job);
        Integer exitStatus = null;
        JobTerminationReason finalReason = reason;
        String message = job.terminationReasonMessage();
        if (hostStatus instanceof ai.dstack.spi.host.HostJobState.Exited exited) {
            exitStatus = exited.exitCode();
            if (finalReason == null) {
                finalReason = exited.exitCode() == 0
                        ? JobTerminationReason.DONE_BY_RUNNER : JobTerminationReason.CONTAINER_EXITED_WITH_ERROR;
            }
        } else if (hostStatus instanceof ai.dstack.spi.host.HostJobState.Lost lost && finalReason == null) {
            finalReason = JobTerminationReason.EXECUTOR_ERROR;
            message = "The job's process was lost: " + lost.reason();
        }
        markFinished(claim, job.toBuilder().exitStatus(exitStatus).runnerTimestamp(logPump.offset(job)).build(), spec,
                message, finalReason);
    }

    /** Writes the job's final status and reason, gives its blocks back and tells its run. */
    private void markFinished(Claim<JobRow> claim, JobRow job, JobSpec spec, String message, JobTerminationReason reason) {
        Instant now = now();
        JobStatus status = JobTerminationReason.finalStatusOf(reason);
        JobRow done = job.toBuilder().status(status.wireValue())
                .terminationReason(reason == null ? job.terminationReason() : reason.wireValue())
                .terminationReasonMessage(message != null ? message : job.terminationReasonMessage())
                .finishedAt(now).lastProcessedAt(now).build();
        int blocks = job.instanceAssigned() ? placement.blocksHeld(job, spec.requirements().resources()) : 0;
        if (job.instanceAssigned() && spec.volumes() != null && spec.volumes().stream()
                .anyMatch(v -> v instanceof ai.dstack.api.configuration.VolumeMountPoint)) {
            try {
                launcher.detachVolumes(job); // before its blocks free the instance for termination
            } catch (RuntimeException e) {
                LOG.warn("Detaching the volumes of job {} failed: {}", job.jobName(), e.getMessage());
            }
        }
        boolean written = context.store.inTransaction(tx -> {
            if (!tx.jobs().updateAndRelease(done, claim.lease())) {
                return false;
            }
            context.events.jobChanged(tx, claim.row(), done);
            if (blocks > 0 && !tx.instances().adjustBusyBlocks(job.instanceId(), -blocks, now)
                    && tx.instances().find(job.instanceId()).filter(i -> !i.deleted()).map(i -> i.status())
                            .map(InstanceStatus::fromWireValue)
                            .filter(InstanceStatus::isAvailable).isPresent()) {
                // An instance that has ended (a spot VM taken back) holds no blocks to give back; a live one should.
                LOG.warn("Giving back {} blocks of job {} failed: the instance's count was already lower", blocks, job.jobName());
            }
            return true;
        });
        if (!written) {
            LOG.warn("Job {} changed hands while finishing; dropping this step's result", job.jobName());
            return;
        }
        logPump.untrack(job.id());
        metrics.untrack(job.id());
        inactivity.forget(job);
        if (blocks > 0) {
            context.capacityFreed(blocks);
        }
        context.hintRun(job.runId());
        if (job.instanceAssigned() && !context.settings.keepJobFiles()) {
            removeFiles(job);
        }
    }

    /**
     * Its logs are stored and its exit code recorded: the job's files on the host are no longer needed. Removed off
     * the loop thread: a host that went away (a spot VM taken back) answers only when its connection's grace period
     * ends (60 s by default), and no other job should wait for that.
     */
    private void removeFiles(JobRow job) {
        Runnable removal = () -> {
            try {
                context.host.cleanup(new JobHandle(job.id().toString()));
            } catch (RuntimeException e) {
                LOG.warn("Could not remove the files of finished job {} ({}): {}", job.jobName(), job.id(),
                        e.getMessage());
            }
        };
        try {
            removals.execute(removal);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            removal.run();
        }
    }

    /**
     * Sets every instance's busy blocks to what its active jobs hold: run once at start, so that a count left wrong
     * by an earlier version or a crash (blocks of jobs that ended without giving them back) does not survive.
     */
    public void recountBusyBlocks() {
        Instant now = now();
        context.store.inTransaction(tx -> {
            for (ai.dstack.spi.storage.ProjectRow project : tx.projects().list()) {
                for (ai.dstack.spi.storage.InstanceRow instance : tx.instances().listByProject(project.id())) {
                    int held = 0;
                    for (JobRow job : tx.jobs().listByInstance(instance.id())) {
                        if (job.instanceAssigned() && !JobStatus.fromWireValue(job.status()).isFinished()) {
                            held += placement.blocksHeld(instance,
                                    Json.read(job.jobSpecData(), JobSpec.class).requirements().resources());
                        }
                    }
                    if (held != instance.busyBlocks()) {
                        LOG.info("Instance {} counted {} busy blocks while its active jobs hold {}; corrected",
                                instance.name(), instance.busyBlocks(), held);
                        tx.instances().adjustBusyBlocks(instance.id(), held - instance.busyBlocks(), now);
                    }
                }
            }
            return null;
        });
    }

    private void fail(Claim<JobRow> claim, JobSpec spec, JobTerminationReason reason, String message) {
        markFinished(claim, claim.row(), spec, message, reason);
    }

    private RunRow run(UUID runId) {
        return context.store.inReadOnlyTransaction(tx -> tx.runs().find(runId)).orElse(null);
    }

    /** Writes the step's result and lets the job go, in one transaction. */
    private void updateAndRelease(Claim<JobRow> claim, JobRow row) {
        updateAndRelease(claim, claim.row(), row);
    }

    /** {@code before} is the row as stored before this step, for the event of a status change. */
    private void updateAndRelease(Claim<JobRow> claim, JobRow before, JobRow row) {
        boolean written = context.store.inTransaction(tx -> {
            boolean ok = tx.jobs().updateAndRelease(row, claim.lease());
            if (ok) {
                context.events.jobChanged(tx, before, row);
            }
            return ok;
        });
        if (!written) {
            LOG.warn("Job {} changed hands while being processed; dropping this step's result", row.jobName());
        }
    }

    private void release(Claim<JobRow> claim) {
        context.store.useTransaction(tx -> tx.leases().release(claim.lease()));
    }

    private Instant now() {
        return context.clock.instant();
    }
}
