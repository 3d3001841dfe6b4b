package ai.dstack.core.internal.operations;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.offer.InstanceAvailability;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.offer.InstanceRuntime;
import ai.dstack.api.offer.InstanceType;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.repo.RunRepoData;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobPlan;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.core.internal.cloud.CloudProvisioning;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.context.StoredSpecs;
import ai.dstack.core.internal.pipeline.RollingUpdate;
import ai.dstack.core.internal.pipeline.Submitter;
import ai.dstack.core.internal.placement.HostShape;
import ai.dstack.core.internal.placement.LocalFleet;
import ai.dstack.core.internal.runs.JobFieldSupport;
import ai.dstack.core.internal.runs.JobSpecFactory;
import ai.dstack.core.internal.runs.RunSpecDefaults;
import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunPageQuery;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.UserRow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * dstack's runs service as its REST API offers it: runs submitted by the calling user, plans with the local
 * fleet's offer, listing across projects, and stopping and deleting by names (unknown names ignored).
 */
public final class RunOperations {
    /** What stopping runs takes; the engine's own stop, which claims the runs under leases (unknown names ignored). */
    @FunctionalInterface
    public interface StopAction {
        void stop(String projectName, List<String> runNames, boolean abort);
    }

    /** What {@code only_active} leaves out besides deleted runs. */
    private static final java.util.Set<String> FINISHED = java.util.Arrays.stream(RunStatus.values())
            .filter(RunStatus::isFinished).map(RunStatus::wireValue).collect(java.util.stream.Collectors.toSet());

    /** dstack plans runs without a name under this temporary one. */
    static final String DRY_RUN_NAME = "dry-run";
    private static final int DEFAULT_MAX_OFFERS = 50;

    private final EngineContext context;
    private final Submitter submitter;
    private final Repos repos;
    private final Users users;
    private final LocalFleet localFleet;
    private final StopAction stopAction;
    private final RunSpecDefaults defaults = new RunSpecDefaults();
    private final FleetNames fleetNames = new FleetNames();
    /** Job specs with the engine's current defaults (its images); cheap to make. */
    private JobSpecFactory jobSpecs() {
        return new JobSpecFactory(context.jobDefaults, null);
    }

    /** Offers of the projects' cloud backends. */
    private final CloudProvisioning cloud;

    public RunOperations(EngineContext context, Submitter submitter, Repos repos, Users users, LocalFleet localFleet,
            StopAction stopAction, CloudProvisioning cloud) {
        this.context = context;
        this.cloud = cloud;
        this.submitter = submitter;
        this.repos = repos;
        this.users = users;
        this.localFleet = localFleet;
        this.stopAction = stopAction;
    }

    /** dstack's {@code runs/get}: by id (deleted runs included) or by name (not deleted); "Run not found" else. */
    public Run get(ProjectRow project, String runName, UUID id) {
        if (id == null && runName == null) {
            throw new DstackException(ErrorCode.ERROR, "run_name or id must be specified");
        }
        return context.store.inReadOnlyTransaction(tx -> {
            Optional<RunRow> row = id != null
                    ? tx.runs().find(id).filter(r -> r.projectId().equals(project.id()))
                    : tx.runs().findByName(project.id(), runName);
            return context.connections.decorate(view(tx, project,
                    row.orElseThrow(() -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Run not found")), new HashMap<>()));
        });
    }

    /**
     * dstack's {@code runs/list} over {@code projects} (the projects the caller may see), newest first. Deleted runs
     * are listed with their flag set.
     */
    public List<Run> list(Collection<ProjectRow> projects, RunQuery query) {
        if (query.projectName() == null && query.repoId() != null) {
            return List.of();
        }
        UUID userId = null;
        if (query.username() != null) {
            userId = users.findByName(query.username())
                    .orElseThrow(() -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "User not found")).id();
        }
        List<ProjectRow> scope = new ArrayList<>();
        for (ProjectRow project : projects) {
            if (query.projectName() == null || project.name().equals(query.projectName())) {
                scope.add(project);
            }
        }
        if (query.projectName() != null && scope.isEmpty()) {
            return List.of();
        }
        if (query.repoId() != null && repos.find(scope.get(0), query.repoId()).isEmpty()) {
            throw new DstackException(ErrorCode.REPO_DOES_NOT_EXIST, "Repo " + query.repoId() + " does not exist");
        }
        Map<UUID, ProjectRow> byId = new HashMap<>();
        scope.forEach(project -> byId.put(project.id(), project));
        RunPageQuery first = new RunPageQuery(List.copyOf(byId.keySet()), userId, query.onlyActive(), FINISHED,
                query.prevSubmittedAt(), query.prevRunId(), query.ascending(), Math.max(0, query.limit()));
        return context.store.inReadOnlyTransaction(tx -> {
            // A page in SQL (keyset on the (submitted_at, id) index); a repo filter reads on until the page is full.
            List<RunRow> rows = new ArrayList<>();
            for (RunPageQuery page = first; rows.size() < first.limit(); ) {
                List<RunRow> read = tx.runs().listPage(page);
                for (RunRow run : read) {
                    if (rows.size() < first.limit() && (query.repoId() == null || query.repoId().equals(repoIdOf(run)))) {
                        rows.add(run);
                    }
                }
                if (read.size() < page.limit()) {
                    break;
                }
                page = page.after(read.get(read.size() - 1));
            }
            // The page's jobs in one query, not one per run (a run's status message and fleet come from its jobs).
            Map<UUID, List<JobRow>> jobs = tx.jobs().listByRuns(rows.stream().map(RunRow::id).toList());
            Map<UUID, String> userNames = new HashMap<>();
            List<Run> runs = new ArrayList<>();
            for (RunRow row : rows) {
                runs.add(trimJobs(view(tx, byId.get(row.projectId()), row, jobs.get(row.id()), userNames), query));
            }
            return runs;
        });
    }

    private static String repoIdOf(RunRow run) {
        return StoredSpecs.read(run.runSpec(), RunSpec.class).repoId();
    }

    private static Run trimJobs(Run run, RunQuery query) {
        List<Job> jobs = new ArrayList<>();
        if (query.includeJobs()) {
            for (Job job : run.jobs()) {
                List<JobSubmission> all = job.jobSubmissions();
                int keep = Math.min(all.size(), Math.max(0, query.jobSubmissionsLimit()));
                jobs.add(new Job(job.jobSpec(), all.subList(all.size() - keep, all.size()), job.jobConnectionInfo()));
            }
        }
        JobSubmission latest = jobs.isEmpty() ? null : jobs.get(0).latestSubmission();
        return new Run(run.id(), run.projectName(), run.user(), run.fleet(), run.submittedAt(), run.lastProcessedAt(),
                run.status(), run.statusMessage(), run.terminationReason(), run.runSpec(), jobs, latest, run.cost(),
                run.service(), run.deploymentNum(), run.error(), run.deleted(), run.nextTriggeredAt());
    }

    /**
     * dstack's {@code runs/get_plan}: the spec with the server's defaults, one job plan per job with the local fleet's
     * offer (idle when its free blocks suffice, busy when not, none when the host cannot satisfy the job), and the
     * existing run of that name.
     */
    public RunPlan plan(ProjectRow project, UserRow user, RunSpec spec, Integer maxOffers) {
        RunSpec effective = defaults.apply(spec, user.sshPublicKey());
        JobFieldSupport.check(effective, submitter.hosts(project)); // what apply checks, so a plan promises it
        // A plan promises what apply does: a schedule apply refuses is refused here too.
        ai.dstack.core.internal.runs.CronSchedule.nextTrigger(effective, context.clock.instant());
        Run current = null;
        ApplyAction action = ApplyAction.CREATE;
        if (effective.runName() != null) {
            current = context.store.inReadOnlyTransaction(tx -> tx.runs().findByName(project.id(), effective.runName())
                    .map(row -> view(tx, project, row, new HashMap<>())).orElse(null));
            if (current != null && !current.status().isFinished() && RunSpecUpdates.isUpdatable(current.runSpec(), effective)) {
                action = ApplyAction.UPDATE;
            }
        }
        RunSpec named = effective.runName() != null ? effective : effective.toBuilder().runName(DRY_RUN_NAME).build();
        int limit = maxOffers == null ? DEFAULT_MAX_OFFERS : maxOffers;
        List<JobPlan> plans = new ArrayList<>();
        for (JobSpec job : jobSpecs().submissionJobSpecs(named, Map.of())) {
            // network volumes are attached only to VMs of their backend: no local or SSH host offers then
            boolean cloudOnly = !ai.dstack.core.internal.runs.RunVolumes.mounts(named).isEmpty();
            List<InstanceOfferWithAvailability> offers = new java.util.ArrayList<>(cloudOnly ? List.of()
                    : sshOffers(project, job, named));
            if (!cloudOnly && matchesProfile(named)) {
                offers.addAll(offers(job));
            }
            offers.addAll(cloud.offers(project, job, named)); // after existing instances, cheapest first
            Double maxPrice = offers.stream().map(InstanceOfferWithAvailability::price).max(Double::compare).orElse(null);
            plans.add(new JobPlan(job, offers.subList(0, Math.min(limit, offers.size())), offers.size(), maxPrice));
        }
        return new RunPlan(project.name(), user.name(), spec, effective, plans, current, action);
    }

    /**
     * dstack's profile filters on offers (backends, regions, instance types, spot, max price, fleets) applied to the
     * one offer this server has: the local instance, on-demand, free, in backend and region {@code remote}.
     */
    private boolean matchesProfile(RunSpec spec) {
        ai.dstack.api.configuration.ProfileParams profile = ai.dstack.core.internal.runs.MergedProfile.of(spec).params();
        if (profile.backends() != null && profile.backends().stream().noneMatch(b -> b.wireValue().equals(LocalFleet.BACKEND))) {
            return false;
        }
        if (profile.regions() != null && !profile.regions().contains(LocalFleet.BACKEND)) {
            return false;
        }
        if (profile.instanceTypes() != null && localFleet != null
                && !profile.instanceTypes().contains(localFleet.shape().instanceType().name())) {
            return false;
        }
        if (profile.fleets() != null && profile.fleets().stream().noneMatch(f -> LocalFleet.NAME.equals(f.name()))) {
            return false;
        }
        return profile.spotPolicy() != ai.dstack.api.configuration.SpotPolicy.SPOT;
    }

    /**
     * SSH fleets' hosts and cloud instances that are up, can satisfy the job and pass the run's zone and reservation
     * filters (as placement applies them), as offers of their share (listed before the local one).
     */
    private List<InstanceOfferWithAvailability> sshOffers(ProjectRow project, JobSpec job, RunSpec run) {
        ai.dstack.core.internal.placement.ProfileFilter filter = ai.dstack.core.internal.placement.ProfileFilter.of(
                ai.dstack.core.internal.runs.MergedProfile.of(run).params(), job.requirements()).zonesAndReservation();
        List<InstanceOfferWithAvailability> offers = new java.util.ArrayList<>();
        for (InstanceRow instance : context.store.inReadOnlyTransaction(tx -> tx.instances().listByProject(project.id()))) {
            ai.dstack.api.instance.InstanceStatus status = ai.dstack.api.instance.InstanceStatus.fromWireValue(instance.status());
            boolean up = status == ai.dstack.api.instance.InstanceStatus.IDLE
                    || status == ai.dstack.api.instance.InstanceStatus.BUSY;
            if (instance.deleted() || instance.remoteConnectionInfo() == null || instance.offer() == null || !up) {
                continue;
            }
            int total = instance.totalBlocks() == null ? 1 : instance.totalBlocks();
            InstanceType type = Json.read(instance.offer(), ai.dstack.api.offer.InstanceOffer.class).instance();
            ai.dstack.api.run.JobProvisioningData host = instance.jobProvisioningData() == null ? null
                    : Json.read(instance.jobProvisioningData(), ai.dstack.api.run.JobProvisioningData.class);
            if (!filter.accepts(instance.backend() == null ? LocalFleet.BACKEND : instance.backend(),
                    instance.region() == null ? LocalFleet.BACKEND : instance.region(), type.name(),
                    type.resources().spot(), instance.price() == null ? 0.0 : instance.price(),
                    host == null ? null : host.availabilityZone(), host == null ? null : host.reservation())) {
                continue;
            }
            int blocks = HostShape.of(type, total).blocksFor(job.requirements().resources());
            if (blocks > 0) {
                InstanceAvailability availability = total - instance.busyBlocks() >= blocks
                        ? InstanceAvailability.IDLE : InstanceAvailability.BUSY;
                offers.add(new InstanceOfferWithAvailability(LocalFleet.BACKEND, share(type, blocks, total),
                        LocalFleet.BACKEND, 0.0, Map.of(), availability, null, InstanceRuntime.SHIM, blocks, total));
            }
        }
        return offers;
    }

    /** The local instance as an offer for the job, or none when the host cannot satisfy it. */
    private List<InstanceOfferWithAvailability> offers(JobSpec job) {
        if (localFleet == null) {
            return List.of();
        }
        HostShape shape = localFleet.shape();
        int blocks = shape.blocksFor(job.requirements().resources());
        if (blocks < 0) {
            return List.of();
        }
        InstanceRow instance = context.store.inReadOnlyTransaction(tx -> tx.instances().find(localFleet.instanceId())).orElse(null);
        int total = instance == null || instance.totalBlocks() == null ? shape.blocks() : instance.totalBlocks();
        int busy = instance == null ? 0 : instance.busyBlocks();
        InstanceAvailability availability = total - busy >= blocks ? InstanceAvailability.IDLE : InstanceAvailability.BUSY;
        return List.of(new InstanceOfferWithAvailability(LocalFleet.BACKEND, share(shape.instanceType(), blocks, total),
                LocalFleet.BACKEND, 0.0, Map.of(), availability, null, InstanceRuntime.SHIM, blocks, total));
    }

    private static InstanceType share(InstanceType type, int blocks, int total) {
        return HostShape.share(type, blocks, total);
    }

    /**
     * dstack's {@code runs/apply}: a new run (over a finished one of the same name), submitted by {@code user}. An
     * active run of that name is not replaced: dstack's message when the change cannot be made in place, and a
     * clear refusal when it could (in-place updates are not supported yet).
     *
     * @param currentResource the plan's {@code current_resource}, checked unless {@code force}
     * @param admitNewRun the application layer's checks of a new run (its archives, quotas), called before it is submitted
     */
    public Run apply(ProjectRow project, UserRow user, RunSpec spec, Run currentResource, boolean force,
            java.util.function.Consumer<RunSpec> admitNewRun) {
        // Defaults and the job-field check (against the project's hosts and clouds) are applied here, once; the
        // submitter stores what this returns.
        RunSpec effective = submitter.prepare(project, spec, user);
        if (spec.runName() != null) { // a name taken from the configuration submits a new run, as before
            Optional<Run> existing = context.store.inReadOnlyTransaction(tx -> tx.runs().findByName(project.id(), effective.runName())
                    .map(row -> view(tx, project, row, new HashMap<>())));
            if (existing.isPresent() && !existing.get().status().isFinished()) {
                Run active = existing.get();
                if (!RunSpecUpdates.isUpdatable(active.runSpec(), effective)) {
                    throw new DstackException(ErrorCode.ERROR, "Cannot override active run. Stop the run first."
                            + RunSpecUpdates.whyNot(active.runSpec(), effective));
                }
                if (!force && (currentResource == null || !Objects.equals(currentResource.id(), active.id()))) {
                    throw new DstackException(ErrorCode.ERROR,
                            "Failed to apply plan. Resource has been changed. Try again or use force apply.");
                }
                RunRow updated = new RollingUpdate(context).apply(project, active.runSpec().runName(),
                        effective.toBuilder().runName(active.runSpec().runName()).build());
                return context.store.inReadOnlyTransaction(tx -> view(tx, project, updated, new HashMap<>()));
            }
        }
        checkRepo(project, user, effective);
        admitNewRun.accept(effective);
        Submitter.Submitted submitted = submitter.submitPrepared(project, user, effective);
        // The answer is the run as stored, from the rows in hand and the submitting user's name: no read back.
        Map<UUID, String> userNames = new HashMap<>(Map.of(user.id(), user.name()));
        return context.store.inReadOnlyTransaction(
                tx -> view(tx, project, submitted.run(), submitted.jobs(), userNames));
    }

    /** dstack creates virtual repos on submission; any other repo must have been initialized. */
    private void checkRepo(ProjectRow project, UserRow user, RunSpec effective) {
        if (effective.repoData() instanceof RunRepoData.Virtual) {
            if (repos.find(project, effective.repoId()).isEmpty()) {
                repos.init(project, user, effective.repoId(), new RepoInfo.Virtual(), null);
            }
        } else {
            var repo = repos.find(project, effective.repoId()).orElseThrow(() -> new DstackException(
                    ErrorCode.REPO_DOES_NOT_EXIST, "Repo " + effective.repoId() + " does not exist"));
            // The host clones a remote repo with the submitting user's credentials: without them it could not.
            if (effective.repoData() instanceof RunRepoData.Remote && Repos.credsOf(repo, user.id()).isEmpty()) {
                throw new DstackException(ErrorCode.ERROR, "repos: you have no credentials for the remote repo "
                        + effective.repoId() + " in project " + project.name() + ", so no host could clone it; run"
                        + " `dstack init` in its clone (with --token or --git-identity for a private repo)");
            }
        }
    }

    /** dstack's {@code runs/stop}: active runs among the names stop; unknown and finished names are ignored. */
    public void stop(ProjectRow project, List<String> runNames, boolean abort) {
        stopAction.stop(project.name(), runNames, abort);
    }

    /** dstack's {@code runs/delete}: refused if any named run is active; unknown names are ignored. */
    public void delete(ProjectRow project, List<String> runNames) {
        context.store.useTransaction(tx -> {
            List<RunRow> runs = new ArrayList<>();
            for (String name : runNames) {
                tx.runs().findByName(project.id(), name).ifPresent(runs::add);
            }
            List<String> active = runs.stream().filter(r -> !RunStatus.fromWireValue(r.status()).isFinished())
                    .map(RunRow::runName).toList();
            if (!active.isEmpty()) {
                throw new DstackException(ErrorCode.ERROR, "Cannot delete active runs: " + Paging.pythonList(active));
            }
            for (RunRow run : runs) {
                if (!tx.runs().updateIfNotLeased(run.toBuilder().deleted(true).build(), context.clock.instant())) {
                    throw new DstackException(ErrorCode.ERROR, "Run " + run.runName() + " is being processed; try again");
                }
            }
        });
    }

    /**
     * dstack's {@code logs/poll} for one job submission. Names that no run can have give an empty page, as unknown
     * runs do.
     */
    public LogPage logs(ProjectRow project, String runName, UUID jobSubmissionId, LogQuery query) {
        if (!RunSpecDefaults.RESOURCE_NAME.matcher(runName).matches()) {
            return LogPage.empty();
        }
        return context.logs.poll(new JobLogRef(project.name(), runName, jobSubmissionId), query);
    }

    private Run view(StoreTransaction tx, ProjectRow project, RunRow row, Map<UUID, String> userNames) {
        return view(tx, project, row, tx.jobs().listByRun(row.id()), userNames);
    }

    private Run view(StoreTransaction tx, ProjectRow project, RunRow row, List<JobRow> jobs, Map<UUID, String> userNames) {
        String user = userNames.computeIfAbsent(row.userId(),
                id -> tx.users().find(id).map(u -> u.deleted() && u.originalName() != null ? u.originalName() : u.name())
                        .orElse("?"));
        return RunViews.run(row, jobs, project.name(), user, context.probeStates, id -> fleetNames.of(tx, id));
    }
}
