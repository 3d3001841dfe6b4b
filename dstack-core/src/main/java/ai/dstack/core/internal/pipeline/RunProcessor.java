package ai.dstack.core.internal.pipeline;

import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.Retry;
import ai.dstack.api.run.RetryEvent;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.run.RunTerminationReason;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.EngineSettings;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.ClaimFilter;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.WorkKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Derives each run's status from its jobs' latest submissions, as dstack's run pipeline does: retries failed jobs
 * within their retry policy, finishes the run when its jobs are done or one failed for good, and walks a
 * terminating run's jobs to their end.
 */
public final class RunProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(RunProcessor.class);

    private final EngineContext context;
    private final String owner;
    private final Consumer<UUID> changed;
    private final Submitter submitter;
    /** Replica counts, autoscaling and rolling deployments of services; null when the engine runs none. */
    private final ServiceReplicas services;

    public RunProcessor(EngineContext context, Submitter submitter, Consumer<UUID> changed, ServiceReplicas services) {
        this.context = context;
        this.submitter = submitter;
        this.owner = context.settings.owner() + "/runs";
        this.changed = changed;
        this.services = services;
    }

    private Instant lastSweep = Instant.EPOCH;
    /** Until the first sweep is through, every submitted run is due: a restarted engine re-arms their retry timers. */
    private boolean adopting = true;

    public boolean step() {
        context.fireDueTimers();
        boolean worked = false;
        for (List<UUID> hints = context.nextRunHints(context.settings.batch()); !hints.isEmpty();
                hints = context.nextRunHints(context.settings.batch())) {
            worked = true;
            for (UUID hint : quickPasses(hints)) {
                Optional<Claim<RunRow>> claim = context.store.claim(WorkKind.RUNS, hint, now(), owner, context.settings.lease());
                if (claim.isPresent()) {
                    process(claim.get());
                } else {
                    retryHintIfLeased(hint);
                }
            }
        }
        if (Duration.between(lastSweep, now()).compareTo(context.settings.sweep()) < 0) {
            return worked;
        }
        lastSweep = now();
        // A submitted run is waiting for its jobs, whose every change hints it, or for a failed job's retry backoff,
        // which is a timer: the sweep leaves it alone (a long queue is not rewritten every few seconds), but, after a
        // restart, once each to re-arm the timers, and a run nobody looked at for the safety net's interval.
        ClaimFilter due = ClaimFilter.due(adopting ? Duration.ZERO : EngineSettings.WAITING_SAFETY_NET,
                        RunStatus.SUBMITTED.wireValue())
                .or(context.settings.runningCheck(), RunStatus.PROVISIONING.wireValue(), RunStatus.RUNNING.wireValue())
                .or(Duration.ofSeconds(1), RunStatus.TERMINATING.wireValue())
                // Scheduled runs are woken by a timer; the sweep re-arms timers after a restart and catches missed ones.
                .or(context.settings.runningCheck(), RunStatus.PENDING.wireValue());
        List<Claim<RunRow>> claims = context.store.claimDue(WorkKind.RUNS, due, now(), context.settings.batch(), owner, context.settings.lease());
        claims.forEach(this::process);
        boolean full = claims.size() == context.settings.batch();
        adopting &= full;
        return worked || full;
    }

    /** Leased right now (an API call, another step): the change behind the hint must still be seen. */
    private void retryHintIfLeased(UUID runId) {
        boolean active = context.store.inReadOnlyTransaction(tx -> tx.runs().find(runId))
                .map(run -> !RunStatus.fromWireValue(run.status()).isFinished()).orElse(false);
        if (active) {
            context.hintRunSoon(runId);
        }
    }

    private void process(Claim<RunRow> claim) {
        RunRow run = claim.row();
        try {
            List<JobRow> jobs = context.store.inReadOnlyTransaction(tx -> tx.jobs().listByRun(run.id()));
            RunStatus status = RunStatus.fromWireValue(run.status());
            if (status == RunStatus.TERMINATING) {
                terminating(claim, run, jobs);
            } else if (status == RunStatus.PENDING) {
                pending(claim, run, jobs);
            } else if (decidable(status)) {
                active(claim, run, jobs);
            } else {
                release(claim);
            }
        } catch (RuntimeException e) {
            LOG.error("Processing run {} failed; it will be retried", run.runName(), e);
            release(claim);
        }
    }

    /** What one pass over an active run decides: its new row and the jobs to submit again. */
    private record Decision(RunRow run, List<JobRow> resubmitted, ServiceReplicas.Plan replicas) {}

    private Decision decide(RunRow run, List<JobRow> jobs, Instant now) {
        RunTerminationReason failure = null;
        boolean allDone = true;
        boolean running = false;
        boolean provisioning = false;
        List<JobRow> retries = new ArrayList<>();
        List<JobRow> waiting = new ArrayList<>();
        for (JobRow job : latest(jobs)) {
            JobStatus status = JobStatus.fromWireValue(job.status());
            if (status == JobStatus.DONE || ServiceReplicas.scaledDown(job)) {
                continue; // dstack ignores scaled-down replicas
            }
            allDone = false;
            if (status.isFinished()) {
                RunTerminationReason verdict = retryVerdict(run, job, now);
                if (verdict == null && retryDue(job, now)) {
                    retries.add(job);
                } else if (verdict == null) {
                    // backing off: the pass at its due time submits it again; the timer on the engine's clock is
                    // armed on every pass, also one that writes nothing
                    waiting.add(job);
                    context.hintRunWhen(run.id(), retryDueAt(job));
                } else if (failure == null || verdict == RunTerminationReason.JOB_FAILED) {
                    failure = verdict;
                }
            } else if (status == JobStatus.RUNNING || status == JobStatus.TERMINATING) {
                running = true;
            } else if (status == JobStatus.PROVISIONING || status == JobStatus.PULLING) {
                provisioning = true;
            }
        }
        RunRow.Builder next = run.toBuilder().lastProcessedAt(now).skipMinProcessingInterval(false);
        if (failure != null) {
            next.status(RunStatus.TERMINATING.wireValue()).terminationReason(failure.wireValue());
        } else if (allDone) {
            next.status(RunStatus.TERMINATING.wireValue()).terminationReason(RunTerminationReason.ALL_JOBS_DONE.wireValue());
        } else {
            RunStatus status = running ? RunStatus.RUNNING : provisioning ? RunStatus.PROVISIONING : RunStatus.SUBMITTED;
            next.status(status.wireValue());
            if (status == RunStatus.PROVISIONING || status == RunStatus.RUNNING) {
                next.resubmissionAttempt(0);
            }
        }
        RunRow updated = next.build();
        if (RunStatus.fromWireValue(updated.status()) == RunStatus.TERMINATING
                && latest(jobs).stream().allMatch(j -> JobStatus.fromWireValue(j.status()).isFinished())) {
            // Nothing left to stop: go straight to the final status instead of another pass.
            RunTerminationReason reason = RunTerminationReason.fromWireValue(updated.terminationReason());
            updated = ended(updated, reason, now);
        }
        List<JobRow> resubmitted = new ArrayList<>();
        if (failure == null) {
            for (JobRow job : retries) {
                resubmitted.add(resubmission(job, now));
            }
        }
        ServiceReplicas.Plan replicas = ServiceReplicas.Plan.NONE;
        RunStatus decided = RunStatus.fromWireValue(updated.status());
        if (services != null && !decided.isFinished() && decided != RunStatus.TERMINATING && decided != RunStatus.PENDING) {
            List<JobRow> comingBack = new ArrayList<>(retries);
            comingBack.addAll(waiting); // a replica waiting to be retried is not replaced by a new one
            replicas = services.plan(updated, latest(jobs), comingBack, now);
            resubmitted.addAll(replicas.started());
            if (replicas.desired() >= 0) {
                updated = updated.toBuilder().desiredReplicaCount(replicas.desired()).build();
            }
        }
        return new Decision(updated, resubmitted, replicas);
    }

    private void active(Claim<RunRow> claim, RunRow run, List<JobRow> jobs) {
        Decision decision = decide(run, jobs, now());
        boolean written = context.store.inTransaction(tx -> {
            if (!tx.runs().updateAndRelease(decision.run(), claim.lease())) {
                return false;
            }
            decision.resubmitted().forEach(tx.jobs()::insert);
            context.events.runChanged(tx, run, decision.run());
            decision.resubmitted().forEach(job -> context.events.jobCreated(tx, job));
            return true;
        });
        if (written) {
            afterWrite(run, decision);
        }
    }

    /**
     * Hinted active runs decided and written in one transaction, each row locked meanwhile, instead of claim, pass and
     * write per run: most passes are quick bookkeeping, and a burst of them costs one write. A pass that changes
     * nothing writes nothing. Returns the runs that need the full path (terminating, leased, gone, or whose pass
     * failed).
     */
    private List<UUID> quickPasses(List<UUID> runIds) {
        Instant now = now();
        List<UUID> ordered = new ArrayList<>(runIds);
        ordered.sort(null); // one lock order for every replica, so batches cannot deadlock on PostgreSQL
        List<UUID> slow = new ArrayList<>();
        List<Written> writes = new ArrayList<>();
        try {
            context.store.useTransaction(tx -> {
                // The batch's runs in one read and their jobs in another, not two reads per run.
                Map<UUID, RunRow> found = new HashMap<>();
                tx.runs().findAllForUpdate(ordered).forEach(run -> found.put(run.id(), run));
                List<UUID> quick = new ArrayList<>();
                for (UUID runId : ordered) {
                    RunRow run = found.get(runId);
                    if (run == null || !decidable(RunStatus.fromWireValue(run.status()))) {
                        slow.add(runId);
                    } else {
                        quick.add(runId);
                    }
                }
                Map<UUID, List<JobRow>> jobsByRun = tx.jobs().listByRuns(quick);
                for (UUID runId : quick) {
                    RunRow run = found.get(runId);
                    Decision decision;
                    try {
                        decision = decide(run, jobsByRun.get(runId), now);
                    } catch (RuntimeException e) {
                        LOG.error("Deciding run {} failed; it will be retried", run.runName(), e);
                        slow.add(runId);
                        continue;
                    }
                    if (decision.resubmitted().isEmpty() && decision.replicas().scaledDown().isEmpty()
                            && decision.replicas().bumped().isEmpty() && sameApartFromProcessing(run, decision.run())) {
                        continue;
                    }
                    if (!tx.runs().updateIfNotLeased(decision.run(), now)) {
                        slow.add(runId);
                        continue;
                    }
                    decision.resubmitted().forEach(tx.jobs()::insert);
                    context.events.runChanged(tx, run, decision.run());
                    decision.resubmitted().forEach(job -> context.events.jobCreated(tx, job));
                    writes.add(new Written(run, decision));
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("A batch of {} run passes failed; taking them one by one", ordered.size(), e);
            return ordered;
        }
        writes.forEach(written -> afterWrite(written.before(), written.decision()));
        return slow;
    }

    private static boolean sameApartFromProcessing(RunRow before, RunRow after) {
        return after.toBuilder().lastProcessedAt(before.lastProcessedAt())
                .skipMinProcessingInterval(before.skipMinProcessingInterval()).build().equals(before);
    }

    private record Written(RunRow before, Decision decision) {}

    /** Runs whose status follows from their jobs. Pending (scheduled) runs have no jobs until their trigger. */
    private static boolean decidable(RunStatus status) {
        return status == RunStatus.SUBMITTED || status == RunStatus.PROVISIONING || status == RunStatus.RUNNING;
    }

    private void afterWrite(RunRow before, Decision decision) {
        decision.resubmitted().forEach(job -> context.hintJob(job.id()));
        armTrigger(decision.run());
        if (services != null) {
            services.carryOut(decision.replicas(), before.id());
        }
        if (RunStatus.fromWireValue(decision.run().status()) == RunStatus.TERMINATING) {
            context.hintRun(before.id());
        }
        if (!decision.run().status().equals(before.status())) {
            changed.accept(before.id());
        }
    }

    /** Null when the failed job is to be retried; otherwise why the run fails. */
    private RunTerminationReason retryVerdict(RunRow run, JobRow job, Instant now) {
        JobTerminationReason reason = JobTerminationReason.fromWireValue(job.terminationReason());
        RetryEvent event = reason == null ? RetryEvent.ERROR : reason.toRetryEvent();
        Retry retry = Json.read(job.jobSpecData(), JobSpec.class).retry();
        if (event == null || retry == null || !retry.onEvents().contains(event)) {
            return RunTerminationReason.JOB_FAILED;
        }
        Instant since = event == RetryEvent.NO_CAPACITY ? run.submittedAt()
                : job.finishedAt() != null ? job.finishedAt() : job.lastProcessedAt();
        return Duration.between(since, now).getSeconds() > retry.duration()
                ? RunTerminationReason.RETRY_LIMIT_EXCEEDED : null;
    }

    /** Whether the failed job's backoff is over (see {@link RetryBackoff}). */
    private static boolean retryDue(JobRow failed, Instant now) {
        return !retryDueAt(failed).isAfter(now);
    }

    private static Instant retryDueAt(JobRow failed) {
        Instant failedAt = failed.finishedAt() != null ? failed.finishedAt() : failed.lastProcessedAt();
        return RetryBackoff.dueAt(failed.submissionNum(), failedAt);
    }

    private JobRow resubmission(JobRow failed, Instant now) {
        return failed.toBuilder()
                .id(UUID.randomUUID())
                .submissionNum(failed.submissionNum() + 1)
                .status(JobStatus.SUBMITTED.wireValue())
                .terminationReason(null).terminationReasonMessage(null).exitStatus(null)
                .instanceId(null).usedInstanceId(null).fleetId(null).instanceAssigned(false)
                .jobProvisioningData(null).jobRuntimeData(null)
                .submittedAt(now).lastProcessedAt(now).skipMinProcessingInterval(true)
                .startedAt(null).finishedAt(null).removeAt(null).runnerTimestamp(null)
                .build();
    }

    private void terminating(Claim<RunRow> claim, RunRow run, List<JobRow> jobs) {
        RunTerminationReason reason = RunTerminationReason.fromWireValue(run.terminationReason());
        JobTerminationReason jobReason = reason == null ? JobTerminationReason.TERMINATED_BY_SERVER : reason.toJobTerminationReason();
        boolean allFinished = true;
        for (JobRow job : jobs) {
            JobStatus status = JobStatus.fromWireValue(job.status());
            if (status.isFinished()) {
                continue;
            }
            allFinished = false;
            if (status != JobStatus.TERMINATING) {
                markTerminating(job, jobReason);
            }
        }
        Instant now = now();
        if (!allFinished) {
            release(claim);
            return;
        }
        RunRow finished = ended(run.toBuilder().lastProcessedAt(now).skipMinProcessingInterval(false).build(), reason, now);
        boolean written = context.store.inTransaction(tx -> {
            boolean ok = tx.runs().updateAndRelease(finished, claim.lease());
            if (ok) {
                context.events.runChanged(tx, run, finished);
            }
            return ok;
        });
        if (written) {
            armTrigger(finished);
            changed.accept(run.id());
        }
    }

    /**
     * The run once its jobs are over: its final status, or for a scheduled run that nobody stopped, pending until the
     * next fire of its cron.
     */
    private RunRow ended(RunRow run, RunTerminationReason reason, Instant now) {
        if (reason != null && RunSchedules.waitsForNextFire(reason)) {
            Instant next = nextTrigger(run, now.plusSeconds(1));
            if (next != null) {
                return run.toBuilder().status(RunStatus.PENDING.wireValue()).nextTriggeredAt(next).resubmissionAttempt(0)
                        .fleetId(null).build();
            }
        }
        return run.toBuilder().status((reason == null ? RunStatus.FAILED : reason.toStatus()).wireValue()).build();
    }

    private static Instant nextTrigger(RunRow run, Instant now) {
        return RunSchedules.nextTrigger(Json.read(run.runSpec(), RunSpec.class), now);
    }

    private void armTrigger(RunRow run) {
        if (RunStatus.PENDING.wireValue().equals(run.status()) && run.nextTriggeredAt() != null) {
            context.hintRunAt(run.id(), run.nextTriggeredAt());
        }
    }

    /** A scheduled run whose trigger came gets new submissions of its jobs and is submitted again. */
    private void pending(Claim<RunRow> claim, RunRow run, List<JobRow> jobs) {
        Instant now = now();
        if (run.nextTriggeredAt() == null || now.isBefore(run.nextTriggeredAt())) {
            release(claim);
            armTrigger(run);
            return;
        }
        Map<String, Integer> submissions = new HashMap<>();
        for (JobRow job : jobs) {
            submissions.merge(job.replicaNum() + "/" + job.jobNum(), job.submissionNum() + 1, Math::max);
        }
        List<JobRow> fresh = submitter.newJobs(run, Json.read(run.runSpec(), RunSpec.class), now,
                spec -> submissions.getOrDefault(spec.replicaNum() + "/" + spec.jobNum(), 0));
        RunRow submitted = run.toBuilder().status(RunStatus.SUBMITTED.wireValue()).terminationReason(null)
                .lastProcessedAt(now).skipMinProcessingInterval(true).build();
        boolean written = context.store.inTransaction(tx -> {
            if (!tx.runs().updateAndRelease(submitted, claim.lease())) {
                return false;
            }
            fresh.forEach(tx.jobs()::insert);
            context.events.runChanged(tx, run, submitted);
            fresh.forEach(job -> context.events.jobCreated(tx, job));
            return true;
        });
        if (written) {
            fresh.forEach(job -> context.hintJob(job.id()));
            context.hintRun(run.id());
            changed.accept(run.id());
        }
    }

    private void markTerminating(JobRow job, JobTerminationReason reason) {
        Optional<Claim<JobRow>> claim = context.store.claim(WorkKind.JOBS, job.id(), now(), owner, context.settings.lease());
        if (claim.isEmpty()) {
            return; // the job loop holds it; the next pass of this run tries again
        }
        JobRow current = claim.get().row();
        if (JobStatus.fromWireValue(current.status()).isFinished()) {
            context.store.useTransaction(tx -> tx.leases().release(claim.get().lease()));
            return;
        }
        JobRow terminating = current.toBuilder().status(JobStatus.TERMINATING.wireValue())
                .terminationReason(reason.wireValue()).lastProcessedAt(now()).skipMinProcessingInterval(true).build();
        context.store.useTransaction(tx -> {
            if (tx.jobs().updateAndRelease(terminating, claim.get().lease())) {
                context.events.jobChanged(tx, current, terminating);
            }
        });
        context.hintJob(job.id());
    }

    /** The newest submission of each (replica, job). */
    public static List<JobRow> latest(List<JobRow> jobs) {
        java.util.Map<String, JobRow> newest = new java.util.LinkedHashMap<>();
        for (JobRow job : jobs) {
            newest.merge(job.replicaNum() + "/" + job.jobNum(), job,
                    (a, b) -> a.submissionNum() >= b.submissionNum() ? a : b);
        }
        return new ArrayList<>(newest.values());
    }

    private void release(Claim<RunRow> claim) {
        context.store.useTransaction(tx -> tx.leases().release(claim.lease()));
    }

    private Instant now() {
        return context.clock.instant();
    }
}
