package ai.dstack.core.internal.engine;

import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.Retry;
import ai.dstack.api.run.RetryEvent;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.run.RunTerminationReason;
import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.ClaimFilter;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.WorkKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
final class RunProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(RunProcessor.class);

    private final Kernel k;
    private final String owner;
    private final Consumer<UUID> changed;
    /** Replica counts, autoscaling and rolling deployments of services; null when the engine runs none. */
    private final ServiceReplicas services;

    RunProcessor(Kernel kernel, Consumer<UUID> changed) {
        this(kernel, changed, null);
    }

    RunProcessor(Kernel kernel, Consumer<UUID> changed, ServiceReplicas services) {
        this.k = kernel;
        this.owner = kernel.settings.owner() + "/runs";
        this.changed = changed;
        this.services = services;
    }

    private Instant lastSweep = Instant.EPOCH;

    boolean step() {
        boolean worked = false;
        for (UUID hint = k.nextRunHint(); hint != null; hint = k.nextRunHint()) {
            if (quickPass(hint)) {
                worked = true;
                continue;
            }
            Optional<Claim<RunRow>> claim = k.store.claim(WorkKind.RUNS, hint, now(), owner, k.settings.lease());
            if (claim.isPresent()) {
                process(claim.get());
                worked = true;
            } else {
                retryHintIfLeased(hint);
            }
        }
        if (Duration.between(lastSweep, now()).compareTo(k.settings.sweep()) < 0) {
            return worked;
        }
        lastSweep = now();
        ClaimFilter due = ClaimFilter.due(k.settings.runningCheck(), RunStatus.SUBMITTED.wireValue(),
                        RunStatus.PROVISIONING.wireValue(), RunStatus.RUNNING.wireValue())
                .or(Duration.ofSeconds(1), RunStatus.TERMINATING.wireValue());
        List<Claim<RunRow>> claims = k.store.claimDue(WorkKind.RUNS, due, now(), k.settings.batch(), owner, k.settings.lease());
        claims.forEach(this::process);
        return worked || claims.size() == k.settings.batch();
    }

    /** Leased right now (an API call, another step): the change behind the hint must still be seen. */
    private void retryHintIfLeased(UUID runId) {
        boolean active = k.store.inReadOnlyTransaction(tx -> tx.runs().find(runId))
                .map(run -> !RunStatus.fromWireValue(run.status()).isFinished()).orElse(false);
        if (active) {
            k.hintRunSoon(runId);
        }
    }

    private void process(Claim<RunRow> claim) {
        RunRow run = claim.row();
        try {
            List<JobRow> jobs = k.store.inReadOnlyTransaction(tx -> tx.jobs().listByRun(run.id()));
            RunStatus status = RunStatus.fromWireValue(run.status());
            if (status == RunStatus.TERMINATING) {
                terminating(claim, run, jobs);
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
        for (JobRow job : latest(jobs)) {
            JobStatus status = JobStatus.fromWireValue(job.status());
            if (status == JobStatus.DONE || ServiceReplicas.scaledDown(job)) {
                continue; // dstack ignores scaled-down replicas
            }
            allDone = false;
            if (status.isFinished()) {
                RunTerminationReason verdict = retryVerdict(run, job, now);
                if (verdict == null) {
                    retries.add(job);
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
            updated = updated.toBuilder().status(reason.toStatus().wireValue()).build();
        }
        List<JobRow> resubmitted = new ArrayList<>();
        if (failure == null) {
            for (JobRow job : retries) {
                resubmitted.add(resubmission(job, now));
            }
        }
        ServiceReplicas.Plan replicas = ServiceReplicas.Plan.NONE;
        if (services != null && !RunStatus.fromWireValue(updated.status()).isFinished()
                && RunStatus.fromWireValue(updated.status()) != RunStatus.TERMINATING) {
            replicas = services.plan(updated, latest(jobs), retries, now);
            resubmitted.addAll(replicas.started());
            if (replicas.desired() >= 0) {
                updated = updated.toBuilder().desiredReplicaCount(replicas.desired()).build();
            }
        }
        return new Decision(updated, resubmitted, replicas);
    }

    private void active(Claim<RunRow> claim, RunRow run, List<JobRow> jobs) {
        Decision decision = decide(run, jobs, now());
        boolean written = k.store.inTransaction(tx -> {
            if (!tx.runs().update(decision.run(), claim.lease())) {
                return false;
            }
            decision.resubmitted().forEach(tx.jobs()::insert);
            tx.leases().release(claim.lease());
            return true;
        });
        if (written) {
            afterWrite(run, decision);
        }
    }

    /**
     * A hinted active run decided and written in one transaction, the row locked meanwhile, instead of claim, pass and
     * write: most passes are quick bookkeeping. False when the run needs the full path (it is terminating, leased,
     * or gone).
     */
    private boolean quickPass(UUID runId) {
        Instant now = now();
        Written written = k.store.inTransaction(tx -> {
            RunRow run = tx.runs().findForUpdate(runId).orElse(null);
            if (run == null || !decidable(RunStatus.fromWireValue(run.status()))) {
                return null;
            }
            Decision decision = decide(run, tx.jobs().listByRun(runId), now);
            if (!tx.runs().updateIfNotLeased(decision.run(), now)) {
                return null;
            }
            decision.resubmitted().forEach(tx.jobs()::insert);
            return new Written(run, decision);
        });
        if (written == null) {
            return false;
        }
        afterWrite(written.before(), written.decision());
        return true;
    }

    private record Written(RunRow before, Decision decision) {}

    /**
     * Runs whose status follows from their jobs. Pending runs (scheduled, or waiting to be retried) wait for their
     * trigger, which is not implemented yet, so they are left alone rather than finished for lack of jobs.
     */
    private static boolean decidable(RunStatus status) {
        return status == RunStatus.SUBMITTED || status == RunStatus.PROVISIONING || status == RunStatus.RUNNING;
    }

    private void afterWrite(RunRow before, Decision decision) {
        decision.resubmitted().forEach(job -> k.hintJob(job.id()));
        if (services != null) {
            services.carryOut(decision.replicas(), before.id());
        }
        if (RunStatus.fromWireValue(decision.run().status()) == RunStatus.TERMINATING) {
            k.hintRun(before.id());
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
        RunStatus finalStatus = reason == null ? RunStatus.FAILED : reason.toStatus();
        RunRow finished = run.toBuilder().status(finalStatus.wireValue()).lastProcessedAt(now)
                .skipMinProcessingInterval(false).build();
        boolean written = k.store.inTransaction(tx -> {
            boolean ok = tx.runs().update(finished, claim.lease());
            tx.leases().release(claim.lease());
            return ok;
        });
        if (written) {
            changed.accept(run.id());
        }
    }

    private void markTerminating(JobRow job, JobTerminationReason reason) {
        Optional<Claim<JobRow>> claim = k.store.claim(WorkKind.JOBS, job.id(), now(), owner, k.settings.lease());
        if (claim.isEmpty()) {
            return; // the job loop holds it; the next pass of this run tries again
        }
        JobRow current = claim.get().row();
        if (JobStatus.fromWireValue(current.status()).isFinished()) {
            k.store.useTransaction(tx -> tx.leases().release(claim.get().lease()));
            return;
        }
        JobRow terminating = current.toBuilder().status(JobStatus.TERMINATING.wireValue())
                .terminationReason(reason.wireValue()).lastProcessedAt(now()).skipMinProcessingInterval(true).build();
        k.store.useTransaction(tx -> {
            tx.jobs().update(terminating, claim.get().lease());
            tx.leases().release(claim.get().lease());
        });
        k.hintJob(job.id());
    }

    /** The newest submission of each (replica, job). */
    static List<JobRow> latest(List<JobRow> jobs) {
        java.util.Map<String, JobRow> newest = new java.util.LinkedHashMap<>();
        for (JobRow job : jobs) {
            newest.merge(job.replicaNum() + "/" + job.jobNum(), job,
                    (a, b) -> a.submissionNum() >= b.submissionNum() ? a : b);
        }
        return new ArrayList<>(newest.values());
    }

    private void release(Claim<RunRow> claim) {
        k.store.useTransaction(tx -> tx.leases().release(claim.lease()));
    }

    private Instant now() {
        return k.clock.instant();
    }
}
