package ai.dstack.core.internal.pipeline;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.runs.HostCapabilities;
import ai.dstack.core.internal.runs.JobFieldSupport;
import ai.dstack.core.internal.runs.JobSpecFactory;
import ai.dstack.core.internal.runs.RunNames;
import ai.dstack.core.internal.runs.RunSpecDefaults;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.UserRow;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Accepts a run: applies dstack's defaults and checks, names it, makes its jobs, and stores run and jobs in one
 * transaction. The jobs loop is hinted at once, so the first job starts without waiting for a sweep.
 */
public final class Submitter {
    private final EngineContext context;
    private final RunSpecDefaults defaults = new RunSpecDefaults();
    /** Jobs run in the host's own shell on the local fleet, where dstack's image setup has no place. */
    /** Job specs with the engine's current defaults (its images); cheap to make. */
    private JobSpecFactory jobSpecs() {
        return new JobSpecFactory(context.jobDefaults, null);
    }
    private final RunNames names = new RunNames(new SecureRandom());

    /** What this server's own hosts (the local host, SSH fleet hosts) can honour; no database read for most. */
    private final Function<ProjectRow, HostCapabilities> ownHosts;
    /** Those plus what the project's cloud backends and network volumes add (reads the project's backends and volumes). */
    private final BiFunction<ProjectRow, HostCapabilities, HostCapabilities> withCloud;

    public Submitter(EngineContext context, Function<ProjectRow, HostCapabilities> ownHosts,
            BiFunction<ProjectRow, HostCapabilities, HostCapabilities> withCloud) {
        this.context = context;
        this.ownHosts = ownHosts;
        this.withCloud = withCloud;
    }

    /** What the project's hosts (the local host, SSH fleet hosts, its cloud backends' VMs) can honour. */
    public HostCapabilities hosts(ProjectRow project) {
        return withCloud.apply(project, ownHosts.apply(project));
    }

    /**
     * Refuses the fields no host of the project honours. Cloud backends only ever honour more (more backends and
     * regions, spot, tags, network volumes; the fields they refuse are refused without them too), so a spec that this
     * server's own hosts take needs no look at the project's backends and volumes: most runs cost no read here.
     */
    private void checkFields(ProjectRow project, RunSpec spec) {
        HostCapabilities own = ownHosts.apply(project);
        if (!JobFieldSupport.refusals(spec, own).isEmpty()) {
            JobFieldSupport.check(spec, withCloud.apply(project, own));
        }
    }

    /** Submits a spec as the user sent it: {@link #prepare} then {@link #submitPrepared}. */
    public Submitted submit(ProjectRow project, UserRow user, RunSpec requested) {
        return submitPrepared(project, user, prepare(project, requested, user));
    }

    /**
     * The spec as it will be stored: named after its configuration when the request has no run name (as dstack's
     * CLI does), with dstack's defaults and checks applied. Callers that look at the spec before submitting it (a
     * plan's existing run, the repo check) prepare it once and hand the result to {@link #submitPrepared}.
     */
    public RunSpec prepare(ProjectRow project, RunSpec requested, UserRow user) {
        if (requested.runName() == null && requested.configuration() != null && requested.configuration().name() != null) {
            requested = requested.toBuilder().runName(requested.configuration().name()).build();
        }
        RunSpec spec = defaults.apply(requested, user.sshPublicKey());
        checkFields(project, spec);
        return spec;
    }

    /** Stores a run whose spec went through {@link #prepare}; a run without a name gets a generated one. */
    public Submitted submitPrepared(ProjectRow project, UserRow user, RunSpec prepared) {
        String candidate = null;
        for (int attempt = 1; ; attempt++) {
            try {
                return submitOnce(project, user, prepared, candidate);
            } catch (NameTaken e) {
                if (attempt >= 10) {
                    throw new DstackException(ErrorCode.ERROR, "Could not find a free run name; give the run a name");
                }
                candidate = e.free;
            }
        }
    }

    /**
     * Thrown inside the insert transaction (rolling it back) when the generated name was taken: carries the first free
     * name of the same base as that transaction saw it, for the next attempt.
     */
    private static final class NameTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String free;

        NameTaken(String free) {
            super(null, null, false, false);
            this.free = free;
        }
    }

    /**
     * @param candidate a generated name found free by the previous attempt; null to start from a new base's first
     *     name. A generated name is checked once, in the insert's transaction (not also before it, which would cost a
     *     read per run): most first names of a random base are free.
     */
    private Submitted submitOnce(ProjectRow project, UserRow user, RunSpec prepared, String candidate) {
        RunSpec spec = prepared;
        if (spec.runName() == null) {
            spec = spec.toBuilder().runName(candidate != null ? candidate : names.first(names.base())).build();
        }
        Instant now = context.clock.instant();
        // A scheduled run waits as pending, with no jobs, until its cron fires (dstack's initial replica count 0).
        Instant trigger = RunSchedules.nextTrigger(spec, now);
        RunRow run = RunRow.builder()
                .id(UUID.randomUUID())
                .projectId(project.id())
                .userId(user.id())
                .runName(spec.runName())
                .status((trigger != null ? RunStatus.PENDING : RunStatus.SUBMITTED).wireValue())
                .submittedAt(now)
                .lastProcessedAt(now)
                .skipMinProcessingInterval(true)
                .nextTriggeredAt(trigger)
                .priority(spec.configuration().base().priority() == null ? 0 : spec.configuration().base().priority())
                .runSpec(Json.write(spec))
                .build();
        List<JobRow> built = newJobs(run, spec, now, job -> 0); // also checks the spec of a scheduled run now
        List<JobRow> jobs = trigger != null ? List.of() : built;
        String runName = run.runName();
        boolean generated = prepared.runName() == null;
        context.store.useTransaction(tx -> {
            Optional<RunRow> existing = tx.runs().findByName(project.id(), runName);
            if (existing.isPresent()) {
                if (generated) {
                    // Taken (by an earlier run or one submitted meanwhile): the first free name of this base, as seen
                    // here, is tried next.
                    throw new NameTaken(names.generate(RunNames.baseOf(runName),
                            name -> tx.runs().findByName(project.id(), name).isPresent()));
                }
                if (!RunStatus.fromWireValue(existing.get().status()).isFinished()) {
                    throw new DstackException(ErrorCode.RESOURCE_EXISTS, "Run " + runName + " already exists and is active");
                }
                // dstack re-submits over a finished run of the same name: the old one is deleted.
                if (!tx.runs().updateIfNotLeased(existing.get().toBuilder().deleted(true).build(), now)) {
                    throw new DstackException(ErrorCode.ERROR, "Run " + runName + " is being processed; try again");
                }
            }
            tx.runs().insert(run);
            jobs.forEach(tx.jobs()::insert);
            context.events.runSubmitted(tx, run, user.id());
            jobs.forEach(job -> context.events.jobCreated(tx, job));
        });
        jobs.forEach(job -> context.hintJob(job.id()));
        if (trigger != null) {
            context.hintRunAt(run.id(), trigger);
        } else if (jobs.isEmpty() || spec.configuration() instanceof ai.dstack.api.configuration.ServiceConfiguration) {
            // A task's or dev environment's run hears from its jobs (each change of a job hints its run): hinted now,
            // its pass would read it and its jobs to find nothing to do. Services have replicas to plan.
            context.hintRun(run.id());
        }
        return new Submitted(run, jobs);
    }

    /** The run and jobs as stored: what the caller answers with, without reading them back. */
    public record Submitted(RunRow run, List<JobRow> jobs) {}

    /**
     * The jobs the run starts with, submitted now (also for a scheduled run, whose caller decides when to insert
     * them), numbered by {@code submissionNum}.
     */
    List<JobRow> newJobs(RunRow run, RunSpec spec, Instant now, ToIntFunction<JobSpec> submissionNum) {
        List<JobRow> jobs = new ArrayList<>();
        for (JobSpec job : jobSpecs().startingJobSpecs(spec, Map.of())) {
            jobs.add(JobRow.builder()
                    .id(UUID.randomUUID())
                    .projectId(run.projectId())
                    .runId(run.id())
                    .runName(run.runName())
                    .jobName(job.jobName())
                    .jobNum(job.jobNum())
                    .replicaNum(job.replicaNum())
                    .submissionNum(submissionNum.applyAsInt(job))
                    .status(JobStatus.SUBMITTED.wireValue())
                    .submittedAt(now)
                    .lastProcessedAt(now)
                    .skipMinProcessingInterval(true)
                    .jobSpecData(Json.write(job))
                    .build());
        }
        return jobs;
    }
}
