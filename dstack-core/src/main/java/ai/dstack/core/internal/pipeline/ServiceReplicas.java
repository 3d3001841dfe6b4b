package ai.dstack.core.internal.pipeline;

import ai.dstack.api.configuration.ReplicaGroup;
import ai.dstack.api.configuration.ServiceConfiguration;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.runs.JobSpecFactory;
import ai.dstack.core.internal.services.Autoscaler;
import ai.dstack.core.internal.services.RequestRates;
import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.WorkKind;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What a pass over an active service run does to its replicas, as dstack's run pipeline does: keeps the count each
 * replica group wants (its range, or the autoscaler's answer from the proxy's request rate), rolls a new deployment
 * out one surge replica at a time (a new replica starts, and an old one stops only once a new one is ready), and
 * scales down latest-first with reason {@code scaled_down}. It also hands running replicas to the probes.
 */
public final class ServiceReplicas {
    /** dstack's rolling deployment surge: one replica above the wanted count while old ones are replaced. */
    static final int MAX_SURGE = 1;
    /** The message of a new replica that waits until an old one has stopped (set when it finds no capacity). */
    static final String NO_ROOM_TO_SURGE = "Rolling update: waiting until an old replica stops to make room on fleet ";
    private static final String SERVICE_TYPE = "\"type\":\"service\"";

    private final EngineContext context;
    private final ProbeRunner probes;
    private final RequestRates rates;
    /** Job specs with the engine's current defaults (its images); cheap to make. */
    private JobSpecFactory jobSpecs() {
        return new JobSpecFactory(context.jobDefaults, null);
    }

    public ServiceReplicas(EngineContext context, ProbeRunner probes, RequestRates rates) {
        this.context = context;
        this.probes = probes;
        this.rates = rates;
    }

    /** What to do: replicas to start (new rows), to stop with {@code scaled_down}, and to move to the new deployment. */
    record Plan(List<JobRow> started, List<JobRow> scaledDown, List<JobRow> bumped, int desired) {
        static final Plan NONE = new Plan(List.of(), List.of(), List.of(), -1);
    }

    /** dstack ignores scaled-down replicas when it derives a run's status. */
    static boolean scaledDown(JobRow job) {
        return JobTerminationReason.SCALED_DOWN.wireValue().equals(job.terminationReason());
    }

    /**
     * @param latest the newest submission of every replica
     * @param retried replicas the run is about to submit again (they count as active)
     */
    Plan plan(RunRow run, List<JobRow> latest, List<JobRow> retried, Instant now) {
        // Most runs are no services: skip parsing their spec. Inside JSON strings quotes are escaped, so this exact
        // text only occurs as a real type field.
        if (!run.runSpec().contains(SERVICE_TYPE)) {
            return Plan.NONE;
        }
        RunSpec spec = Json.read(run.runSpec(), RunSpec.class);
        if (!(spec.configuration() instanceof ServiceConfiguration service)) {
            return Plan.NONE;
        }
        Set<Integer> retrying = retried.stream().map(JobRow::replicaNum).collect(Collectors.toSet());
        for (JobRow job : latest) {
            if (JobStatus.fromWireValue(job.status()) == JobStatus.RUNNING) {
                probes.track(job);
            }
        }
        List<JobRow> started = new ArrayList<>();
        List<JobRow> stopped = new ArrayList<>();
        List<JobRow> bumped = new ArrayList<>();
        int nextReplica = latest.stream().mapToInt(JobRow::replicaNum).max().orElse(-1) + 1;
        int totalDesired = 0;
        for (ReplicaGroup group : service.replicaGroups()) {
            List<JobRow> members = latest.stream().filter(j -> groupOf(j).equals(group.name())).toList();
            List<JobRow> active = members.stream()
                    .filter(j -> retrying.contains(j.replicaNum()) || isActive(j))
                    .sorted(Comparator.comparingInt(JobRow::replicaNum)).toList();
            int min = group.replicas().min() == null ? 0 : group.replicas().min();
            int max = group.replicas().max() == null ? min : group.replicas().max();
            Autoscaler scaler = new Autoscaler(min, max, group.scaling());
            int current = active.size();
            int desired = scaler.desired(current, rates.requests(run.id(), scaler.windowSeconds()),
                    lastScaledAt(members), now);
            totalDesired += desired;
            List<JobRow> outOfDate = new ArrayList<>();
            for (JobRow job : active) {
                if (job.deploymentNum() >= run.deploymentNum()) {
                    continue;
                }
                if (sameSpec(spec, job)) {
                    bumped.add(job);
                } else {
                    outOfDate.add(job);
                }
            }
            List<Integer> free = members.stream().filter(j -> !active.contains(j)).map(JobRow::replicaNum).sorted().toList();
            Map<Integer, Integer> submissions = new HashMap<>();
            members.forEach(j -> submissions.put(j.replicaNum(), j.submissionNum()));
            int toStart;
            List<JobRow> toStop;
            if (!outOfDate.isEmpty()) {
                toStart = Math.max(0, desired + MAX_SURGE - current);
                long readyCount = active.stream().filter(j -> probes.ready(j.id())).count();
                List<JobRow> candidates = new ArrayList<>();
                outOfDate.stream().filter(j -> !probes.ready(j.id())).forEach(candidates::add);
                int count = candidates.size() + (int) Math.max(0, readyCount - desired);
                boolean noRoomToSurge = active.stream().anyMatch(j -> j.deploymentNum() >= run.deploymentNum()
                        && j.terminationReasonMessage() != null && j.terminationReasonMessage().startsWith(NO_ROOM_TO_SURGE)
                        && JobStatus.fromWireValue(j.status()) == JobStatus.SUBMITTED);
                if (noRoomToSurge && count == 0 && readyCount >= 2) {
                    count = 1; // roll one replica at a time: stop an old one while another keeps serving
                }
                outOfDate.stream().filter(j -> probes.ready(j.id()))
                        .sorted(Comparator.comparingInt(JobRow::replicaNum)).forEach(candidates::add);
                toStop = candidates.subList(0, Math.min(count, candidates.size()));
            } else if (desired > current) {
                toStart = desired - current;
                toStop = List.of();
            } else {
                toStart = 0;
                // Latest first, and replicas not serving yet before those that are.
                List<JobRow> order = new ArrayList<>(active);
                order.sort(Comparator.comparing((JobRow j) -> probes.ready(j.id()))
                        .thenComparing(Comparator.comparingInt(JobRow::replicaNum).reversed()));
                toStop = order.subList(0, current - desired);
            }
            toStop.stream().filter(j -> !retrying.contains(j.replicaNum())).forEach(stopped::add);
            for (int i = 0; i < toStart; i++) {
                int replicaNum;
                int submission;
                if (i < free.size()) {
                    replicaNum = free.get(i);
                    submission = submissions.get(replicaNum) + 1;
                } else {
                    replicaNum = nextReplica++;
                    submission = 0;
                }
                started.add(newReplica(run, spec, group.name(), replicaNum, submission, now));
            }
        }
        return new Plan(started, stopped, bumped, totalDesired);
    }

    private static boolean isActive(JobRow job) {
        JobStatus status = JobStatus.fromWireValue(job.status());
        return !status.isFinished() && status != JobStatus.TERMINATING;
    }

    private static String groupOf(JobRow job) {
        return Json.read(job.jobSpecData(), JobSpec.class).replicaGroup();
    }

    /** dstack's last scaling event: the newest start of an active replica or end of an inactive one. */
    private static Instant lastScaledAt(List<JobRow> members) {
        Instant last = null;
        for (JobRow job : members) {
            Instant at = JobStatus.fromWireValue(job.status()).isFinished() ? job.lastProcessedAt() : job.submittedAt();
            if (last == null || at.isAfter(last)) {
                last = at;
            }
        }
        return last;
    }

    /** Whether the replica's job spec is what the current run spec makes for it (then no new replica is needed). */
    private boolean sameSpec(RunSpec spec, JobRow job) {
        JobSpec current = Json.read(job.jobSpecData(), JobSpec.class);
        try {
            JobSpec wanted = jobSpecs().jobSpecs(spec, Map.of(), current.replicaNum(), current.replicaGroup()).get(0);
            JsonNode a = ai.dstack.api.json.DstackJson.mapper().valueToTree(current);
            JsonNode b = ai.dstack.api.json.DstackJson.mapper().valueToTree(wanted);
            return a.equals(b);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private JobRow newReplica(RunRow run, RunSpec spec, String group, int replicaNum, int submission, Instant now) {
        JobSpec job = jobSpecs().jobSpecs(spec, Map.of(), replicaNum, group).get(0);
        return JobRow.builder()
                .id(UUID.randomUUID())
                .projectId(run.projectId())
                .runId(run.id())
                .runName(run.runName())
                .jobName(job.jobName())
                .jobNum(job.jobNum())
                .replicaNum(replicaNum)
                .submissionNum(submission)
                .deploymentNum(run.deploymentNum())
                .status(JobStatus.SUBMITTED.wireValue())
                .submittedAt(now)
                .lastProcessedAt(now)
                .skipMinProcessingInterval(true)
                .jobSpecData(Json.write(job))
                .build();
    }

    /** Carries out the stops and deployment moves of a written plan; what cannot be claimed now waits for the next pass. */
    void carryOut(Plan plan, UUID runId) {
        for (JobRow job : plan.scaledDown()) {
            change(job, current -> isActive(current) ? current.toBuilder().status(JobStatus.TERMINATING.wireValue())
                    .terminationReason(JobTerminationReason.SCALED_DOWN.wireValue())
                    .lastProcessedAt(context.clock.instant()).skipMinProcessingInterval(true).build() : null);
        }
        if (!plan.bumped().isEmpty()) { // the run is read only when replicas move to its deployment
            int deployment = context.store.inReadOnlyTransaction(tx -> tx.runs().find(runId))
                    .map(RunRow::deploymentNum).orElse(0);
            for (JobRow job : plan.bumped()) {
                change(job, current -> current.toBuilder().deploymentNum(deployment).build());
            }
        }
        if (!plan.scaledDown().isEmpty() || !plan.bumped().isEmpty()) {
            context.hintRun(runId);
        }
    }

    private void change(JobRow job, java.util.function.UnaryOperator<JobRow> edit) {
        Optional<Claim<JobRow>> claim = context.store.claim(WorkKind.JOBS, job.id(), context.clock.instant(),
                context.settings.owner() + "/services", context.settings.lease());
        if (claim.isEmpty()) {
            return;
        }
        JobRow changed = edit.apply(claim.get().row());
        context.store.useTransaction(tx -> {
            if (changed != null) {
                tx.jobs().update(changed, claim.get().lease());
            }
            tx.leases().release(claim.get().lease());
        });
        context.hintJob(job.id());
    }
}
