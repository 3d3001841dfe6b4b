package ai.dstack.core.internal.cloud;

import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.Profile;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.instance.InstanceTerminationReason;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.offer.InstanceOffer;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.internal.config.BackendConfig;
import ai.dstack.core.internal.context.EventLog;
import ai.dstack.core.internal.runs.HostCapabilities;
import ai.dstack.core.internal.runs.MergedProfile;
import ai.dstack.core.internal.runs.RunVolumes;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.InstanceConfiguration;
import ai.dstack.spi.backend.PlacementGroupData;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.Tags;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StoreTransaction;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cloud instances for jobs that no existing instance can take, through the Backend SPI (no cloud is named here).
 *
 * <p>The job loop asks {@link #request} when placement found nothing. With cloud backends configured and offers for
 * the job, a {@code pending} instance row is made in a fleet named after the run (as dstack auto-creates one), tied
 * to the job ({@code provisioning_job_id}), and the job waits. This class's own loop then:
 * <ol>
 *   <li>creates the VM, trying the offers cheapest first (at most {@link #MAX_OFFERS_TRIED}); no capacity or quota in
 *       one tries the next; when all fail the row ends {@code terminated} with every attempt in its message, and the
 *       job fails with it ({@code failed_to_start_due_to_no_capacity});
 *   <li>polls it until it runs, then writes how to reach it over SSH ({@code remote_connection_info}, the project's
 *       key) and leaves it {@code pending}: the SSH host provisioner checks it like an SSH fleet's host and makes it
 *       {@code idle}, and the job is placed on it as on any host;
 *   <li>watches running instances: a VM the cloud took back (spot) ends its instance and fails its job with
 *       {@code interrupted_by_no_capacity}, so {@code retry} submits it again and a new offer is tried;
 *   <li>terminates an idle instance once the job it was made for has finished, and removes the run's fleet.
 * </ol>
 * At start, whatever the project's backends find tagged for the project but no row tracks (a VM made by a server that
 * was killed before it recorded it) is released.
 */
public final class CloudProvisioning implements AutoCloseable {
    /** dstack's {@code DSTACK_SERVER_MAX_OFFERS_TRIED}. */
    static final int MAX_OFFERS_TRIED = 25;
    static final Duration PROVISIONING_TIMEOUT = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(CloudProvisioning.class);
    private static final ObjectMapper JSON = DstackJson.mapper();
    private static final String REMOTE = "remote";

    private final StateStore store;

    /** Instance and fleet events, in the transaction of each change. */

    private final EventLog events;
    private final Clock clock;
    private final CloudBackends cloud;
    private final Function<ProjectRow, List<BackendConfig>> configs;
    private final Consumer<UUID> hintJob;
    private final Runnable capacityFreed;
    private final Runnable reachable;
    private final Consumer<InstanceRow> hostGone;
    private final Duration sweep;
    private final FleetGrowth growth;
    private final SweepLoop loop;

    /** What the job loop should do with a job that no existing instance can take. */
    public record Decision(Kind kind, String message) {
        public enum Kind {
            /** No cloud backend can take it: fail as before. */
            NONE,
            /** An instance is being made for it: keep the job waiting. */
            WAIT,
            /** The cloud could not give it an instance: fail it with the message. */
            FAIL,
            /** Its instance was taken back by the cloud: fail it as interrupted. */
            INTERRUPTED
        }
    }

    /**
     * @param configs the stored backend configurations of a project
     * @param hintJob wakes the job loop for a job
     * @param capacityFreed tells the job loop that an instance went away
     * @param reachable tells the SSH host provisioner that an instance answers at its address now
     * @param hostGone tells the SSH transport that an instance with an address has ended: its connection is closed,
     *     so that calls retrying it (a job's last logs, its files) give up now instead of at the end of the
     *     connection's grace period
     */
    public CloudProvisioning(StateStore store, Clock clock, CloudBackends cloud,
            Function<ProjectRow, List<BackendConfig>> configs, Consumer<UUID> hintJob, Runnable capacityFreed,
            Runnable reachable, Consumer<InstanceRow> hostGone, Duration sweep, EventLog events) {
        this.hostGone = hostGone;
        this.events = events;
        this.store = store;
        this.clock = clock;
        this.cloud = cloud;
        this.configs = configs;
        this.hintJob = hintJob;
        this.capacityFreed = capacityFreed;
        this.reachable = reachable;
        this.sweep = sweep;
        this.loop = new SweepLoop("dstack-cloud", sweep, this::pass);
        this.growth = new FleetGrowth(store, clock, events, new CloudFleets(store, clock, this));
    }

    public void start() {
        loop.start(this::cleanUpUntracked);
    }

    /** Runs a pass soon (a fleet was applied or deleted). */
    public void wake() {
        loop.wake();
    }

    /** The project's usable cloud backends. */
    public List<Backend> backends(ProjectRow project) {
        return cloud.of(project.name(), configs.apply(project));
    }

    /** What the project's hosts can honour: the {@code local} ones plus the VMs of its usable cloud backends. */
    public HostCapabilities hosts(ProjectRow project, HostCapabilities local) {
        java.util.Map<String, RunVolumes.ProjectVolume> volumes = new java.util.HashMap<>();
        store.inReadOnlyTransaction(tx -> tx.volumes().listByProject(project.id())).stream()
                .filter(v -> !v.toBeDeleted()).map(RunVolumes::view).forEach(v -> volumes.put(v.name(), v));
        return local.withCloudBackends(backends(project).stream().map(Backend::type)
                .collect(java.util.stream.Collectors.toSet())).withVolumes(volumes);
    }

    /**
     * Only offers where the run's network volumes can be attached: their backend and region, and the volumes' zone
     * (the offer then names only that zone, so the VM is made there).
     */
    static List<InstanceOfferWithAvailability> nearVolumes(List<InstanceOfferWithAvailability> offers,
            List<RunVolumes.ProjectVolume> volumes) {
        if (volumes.isEmpty()) {
            return offers;
        }
        List<InstanceOfferWithAvailability> out = new ArrayList<>();
        for (InstanceOfferWithAvailability offer : offers) {
            List<String> zones = offer.availabilityZones();
            boolean fits = true;
            for (RunVolumes.ProjectVolume volume : volumes) {
                if (!volume.backend().equals(offer.backend()) || !volume.region().equals(offer.region())) {
                    fits = false;
                } else if (volume.zone() != null) {
                    if (zones != null && !zones.contains(volume.zone())) {
                        fits = false;
                    }
                    zones = List.of(volume.zone());
                }
            }
            if (fits) {
                out.add(new InstanceOfferWithAvailability(offer.backend(), offer.instance(), offer.region(),
                        offer.price(), offer.backendData(), offer.availability(), zones, offer.instanceRuntime(),
                        offer.blocks(), offer.totalBlocks()));
            }
        }
        return out;
    }

    private List<RunVolumes.ProjectVolume> volumesOf(UUID projectId, RunSpec run) {
        return store.inReadOnlyTransaction(tx -> RunVolumes.of(tx, projectId, run));
    }

    /** Cloud offers for a job of this run, cheapest first (for plans and {@code dstack offer}). */
    public List<InstanceOfferWithAvailability> offers(ProjectRow project, JobSpec job, RunSpec run) {
        if (namesFleets(run)) {
            return List.of();
        }
        List<Backend> backends = backends(project);
        if (backends.isEmpty()) {
            return List.of();
        }
        return nearVolumes(CloudOffers.offers(backends, job.requirements(), profile(run)), volumesOf(project.id(), run));
    }

    /** A run limited to named fleets ({@code fleets}) gets no VM of its own: it waits for or fails on those fleets. */
    private static boolean namesFleets(RunSpec run) {
        ProfileParams profile = profile(run);
        return profile != null && profile.fleets() != null && !profile.fleets().isEmpty();
    }

    private static ProfileParams profile(RunSpec run) {
        return run == null ? null : MergedProfile.of(run).params();
    }

    /** Called by the job loop when no existing instance can take {@code job}. */
    public Decision request(JobRow job, JobSpec spec) {
        Optional<InstanceRow> mine = store.inReadOnlyTransaction(tx -> tx.instances().listByProject(job.projectId()))
                .stream().filter(i -> job.id().equals(i.provisioningJobId())).reduce((a, b) -> b);
        if (mine.isPresent()) {
            InstanceRow instance = mine.get();
            InstanceStatus status = InstanceStatus.fromWireValue(instance.status());
            if (status == InstanceStatus.TERMINATED || status == InstanceStatus.TERMINATING) {
                if (InstanceTerminationReason.ERROR.wireValue().equals(instance.terminationReason())
                        && instance.terminationReasonMessage() != null
                        && instance.terminationReasonMessage().startsWith(INTERRUPTED)) {
                    return new Decision(Decision.Kind.INTERRUPTED, instance.terminationReasonMessage());
                }
                return new Decision(Decision.Kind.FAIL, instance.terminationReasonMessage());
            }
            return new Decision(Decision.Kind.WAIT, "Provisioning instance " + instance.name()
                    + (instance.backend() == null ? "" : " on " + instance.backend()));
        }
        ProjectRow project = store.inReadOnlyTransaction(tx -> tx.projects().find(job.projectId())).orElseThrow();
        RunRow run = store.inReadOnlyTransaction(tx -> tx.runs().find(job.runId())).orElseThrow();
        RunSpec runSpec = read(run.runSpec(), RunSpec.class);
        List<Backend> backends = backends(project);
        if (backends.isEmpty()) {
            return new Decision(Decision.Kind.NONE, null);
        }
        Optional<Decision> grown = grow(project, run, runSpec, spec);
        if (grown.isPresent()) {
            return grown.get();
        }
        if (namesFleets(runSpec)) {
            return new Decision(Decision.Kind.NONE, null);
        }
        List<RunVolumes.ProjectVolume> volumes = volumesOf(project.id(), runSpec);
        boolean any = nearVolumes(CloudOffers.offers(backends, spec.requirements(), profile(runSpec)), volumes)
                .stream().anyMatch(o -> o.availability().isAvailable());
        if (!any) {
            return new Decision(Decision.Kind.FAIL, "No offers in backends "
                    + String.join(", ", backends.stream().map(Backend::type).toList())
                    + " match the job's resources and profile"
                    + (volumes.isEmpty() ? "" : " where its volumes are (" + String.join(", ", volumes.stream()
                            .map(v -> v.name() + ": " + v.backend() + " " + (v.zone() == null ? v.region() : v.zone()))
                            .toList()) + ")"));
        }
        String name = makeRow(project, run, job);
        loop.wake(); // when the engine is closing, the row waits for the next start
        return new Decision(Decision.Kind.WAIT, "Provisioning instance " + name);
    }

    /**
     * Called by the job loop when the job's fleets have no free capacity: a fleet with a {@code nodes} range may grow
     * for it ({@link FleetGrowth}); empty when none may.
     */
    public Optional<Decision> growFleet(JobRow job, JobSpec spec) {
        ProjectRow project = store.inReadOnlyTransaction(tx -> tx.projects().find(job.projectId())).orElseThrow();
        if (backends(project).isEmpty()) {
            return Optional.empty();
        }
        RunRow run = store.inReadOnlyTransaction(tx -> tx.runs().find(job.runId())).orElseThrow();
        return grow(project, run, read(run.runSpec(), RunSpec.class), spec);
    }

    private Optional<Decision> grow(ProjectRow project, RunRow run, RunSpec runSpec, JobSpec spec) {
        ProfileParams profile = profile(runSpec);
        String user = store.inReadOnlyTransaction(tx -> tx.users().find(run.userId())).map(u -> u.name())
                .orElse("unknown");
        Optional<String> grown = growth.grow(project, user, profile, namesFleets(runSpec)
                ? profile.fleets().stream().map(ai.dstack.api.configuration.EntityReference::name).toList() : null,
                spec);
        grown.ifPresent(unused -> wake());
        return grown.map(message -> new Decision(Decision.Kind.WAIT, message));
    }

    /** A pending instance row for the job, in the run's fleet (made if missing). */
    private String makeRow(ProjectRow project, RunRow run, JobRow job) {
        Instant now = clock.instant();
        return store.inTransaction(tx -> {
            FleetRow fleet = tx.fleets().findByName(project.id(), run.runName()).filter(f -> !f.deleted()).orElse(null);
            if (fleet == null) {
                FleetConfiguration configuration = DstackYaml.parse("type: fleet\nname: " + run.runName()
                        + "\nplacement: any\n", "fleet of run " + run.runName(), FleetConfiguration.class);
                FleetSpec spec = new FleetSpec(configuration, null, Profile.defaultProfile(), true);
                fleet = FleetRow.builder().id(UUID.randomUUID()).projectId(project.id()).name(run.runName())
                        .status("active").spec(write(spec)).createdAt(now).lastProcessedAt(now).build();
                tx.fleets().insert(fleet);
                events.record(tx, "Fleet created. Status: ACTIVE", null, EventLog.fleet(fleet));
            }
            int num = tx.instances().listByFleet(fleet.id()).size();
            String name = run.runName() + "-" + num;
            InstanceRow created = InstanceRow.builder().id(UUID.randomUUID()).projectId(project.id())
                    .fleetId(fleet.id()).name(name).instanceNum(num).status(InstanceStatus.PENDING.wireValue())
                    .health("healthy").createdAt(now).lastProcessedAt(now).terminationPolicy("destroy-after-idle")
                    .provisioningJobId(job.id()).busyBlocks(0).build();
            tx.instances().insert(created);
            events.record(tx, "Instance created. Status: PENDING", null, EventLog.instance(created),
                    EventLog.fleet(fleet));
            return name;
        });
    }

    // ---- the loop ----

    private void pass() {
        try {
            for (ProjectRow project : store.inReadOnlyTransaction(tx -> tx.projects().list())) {
                refill(project);
                for (InstanceRow instance : store.inReadOnlyTransaction(tx -> tx.instances().listByProject(project.id()))) {
                    if (instance.deleted() || instance.provisioningJobId() == null && instance.requirements() == null) {
                        continue; // not a cloud instance (the local host, an SSH fleet's host)
                    }
                    try {
                        step(project, instance);
                    } catch (RuntimeException e) {
                        LOG.warn("Cloud instance {}: {}", instance.name(), e.getMessage(), e);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("The cloud instance pass failed; it runs again", e);
        }
    }

    /** Cloud fleets below {@code nodes.min} get new instances ({@link FleetGrowth#refill}). */
    private void refill(ProjectRow project) {
        try {
            if (!backends(project).isEmpty() && growth.refill(project)) {
                LOG.info("Project {}: cloud fleets below nodes.min get new instances", project.name());
            }
        } catch (RuntimeException e) {
            LOG.warn("Project {}: refilling its cloud fleets failed: {}", project.name(), e.getMessage(), e);
        }
    }

    /**
     * A fleet's instance never came up (no offer worked, it timed out, the cloud ended it while it started): the
     * fleet counts it and waits before it makes the next ({@link FleetBackoff}). A run's own instance is not counted:
     * its job fails instead.
     */
    private void fleetInstanceFailed(InstanceRow row, String words) {
        if (row.provisioningJobId() != null || row.fleetId() == null) {
            return;
        }
        Instant now = clock.instant();
        store.useTransaction(tx -> tx.fleets().find(row.fleetId()).filter(f -> !f.deleted())
                .ifPresent(f -> FleetBackoff.failed(tx, events, f, row.name(), words, now)));
    }

    private void step(ProjectRow project, InstanceRow instance) {
        InstanceStatus status = InstanceStatus.fromWireValue(instance.status());
        if (status == InstanceStatus.PENDING && instance.jobProvisioningData() == null) {
            create(project, instance);
        } else if (status == InstanceStatus.PROVISIONING) {
            awaitRunning(project, instance);
        } else if (status == InstanceStatus.IDLE || status == InstanceStatus.BUSY
                || status == InstanceStatus.PENDING) {
            watch(project, instance, status);
        } else if (status == InstanceStatus.TERMINATING) {
            terminate(project, instance);
        } else if (status == InstanceStatus.TERMINATED) {
            forgetOnceTheJobKnows(instance);
        }
    }

    private void create(ProjectRow project, InstanceRow row) {
        List<Backend> backends = backends(project);
        List<InstanceOfferWithAvailability> offers;
        InstanceConfiguration configuration;
        if (row.provisioningJobId() != null) {
            Optional<JobRow> job = store.inReadOnlyTransaction(tx -> tx.jobs().find(row.provisioningJobId()));
            if (job.isEmpty() || JobStatus.fromWireValue(job.get().status()).isFinished()) {
                finish(row, InstanceTerminationReason.JOB_FINISHED, "the job it was made for ended first");
                return;
            }
            JobSpec spec = read(job.get().jobSpecData(), JobSpec.class);
            RunRow run = store.inReadOnlyTransaction(tx -> tx.runs().find(job.get().runId())).orElseThrow();
            RunSpec runSpec = read(run.runSpec(), RunSpec.class);
            String user = store.inReadOnlyTransaction(tx -> tx.users().find(run.userId())).map(u -> u.name())
                    .orElse("unknown");
            ProfileParams profile = profile(runSpec);
            offers = nearVolumes(CloudOffers.offers(backends, spec.requirements(), profile),
                    volumesOf(project.id(), runSpec));
            // the run's `tags` go on the VM beside dstack's own
            configuration = new InstanceConfiguration(project.name(), row.name(), user, run.runName(),
                    List.of(project.sshPublicKey()), profile.tags(), null, spec.requirements().reservation());
        } else {
            CloudRequest request = read(row.requirements(), CloudRequest.class);
            offers = CloudOffers.offers(backends, request.requirements(), request.backends(), request.regions(),
                    request.instanceTypes(), request.availabilityZones());
            if (request.placementGroup() != null) {
                offers = offers.stream().filter(o -> o.backend().equals(request.placementGroup().backend())).toList();
            }
            configuration = new InstanceConfiguration(project.name(), row.name(), request.user(), null,
                    List.of(project.sshPublicKey()), request.tags(), request.placementGroup(),
                    request.requirements().reservation());
        }
        offers = offers.stream().filter(o -> o.availability().isAvailable()).limit(MAX_OFFERS_TRIED).toList();
        List<String> attempts = new ArrayList<>();
        for (InstanceOfferWithAvailability offer : offers) {
            Backend backend = backends.stream().filter(b -> b.type().equals(offer.backend())).findFirst().orElseThrow();
            try {
                ProvisioningData data = backend.createInstance(offer, configuration);
                Instant now = clock.instant();
                InstanceOffer plain = offer.offer();
                boolean written = store.inTransaction(tx -> changed(tx, tx.instances().find(row.id()).orElseThrow(),
                        current -> current.toBuilder()
                                .status(InstanceStatus.PROVISIONING.wireValue()).backend(data.backend())
                                .region(data.region()).price(data.price()).offer(write(plain))
                                .jobProvisioningData(write(jpd(data, configuration.reservation())))
                                .startedAt(now).lastProcessedAt(now)
                                .totalBlocks(1).terminationReasonMessage(null).build(), now));
                if (!written) {
                    LOG.warn("Instance {} changed while its VM was made; the VM is left to the start-up clean-up",
                            row.name());
                }
                LOG.info("Instance {}: {} {} in {} ({} $/h) created as {}", row.name(), data.backend(),
                        offer.instance().name(), data.region(), data.price(), data.instanceId());
                return;
            } catch (BackendException e) {
                attempts.add(offer.backend() + " " + offer.region() + " " + offer.instance().name()
                        + (offer.instance().resources().spot() ? " (spot)" : "") + ": " + e.getMessage());
                LOG.info("Instance {}: offer {} {} {} failed: {}", row.name(), offer.backend(), offer.region(),
                        offer.instance().name(), e.getMessage());
            }
        }
        String failure = attempts.isEmpty() ? "No offers are available for the job"
                : "All offers failed: " + String.join("; ", attempts);
        finish(row, InstanceTerminationReason.NO_OFFERS, failure);
        fleetInstanceFailed(row, failure);
        hint(row);
    }

    private void awaitRunning(ProjectRow project, InstanceRow row) {
        ProvisioningData data = provisioningData(row);
        Optional<Backend> backend = backendOf(project, row);
        if (backend.isEmpty()) {
            return;
        }
        ai.dstack.spi.backend.InstanceStatus status = backend.get().poll(data);
        Instant now = clock.instant();
        switch (status.state()) {
            case PENDING -> {
                if (row.startedAt() != null && now.isAfter(row.startedAt().plus(PROVISIONING_TIMEOUT))) {
                    String failure = "the instance did not run within " + PROVISIONING_TIMEOUT.toMinutes()
                            + " minutes";
                    terminating(row, InstanceTerminationReason.PROVISIONING_TIMEOUT, failure);
                    fleetInstanceFailed(row, failure);
                }
            }
            case RUNNING -> {
                ProvisioningData up = status.data();
                ObjectNode connection = JSON.createObjectNode().put("host", up.hostname()).put("port", up.sshPort())
                        .put("ssh_user", up.username()).put("private_key", project.sshPrivateKey())
                        .put("key_source", "the key of project " + project.name());
                store.useTransaction(tx -> {
                    changed(tx, tx.instances().find(row.id()).orElseThrow(),
                            current -> current.toBuilder().status(InstanceStatus.PENDING.wireValue())
                            .jobProvisioningData(write(jpd(up, reservationOf(row))))
                            .remoteConnectionInfo(connection.toString())
                            .lastProcessedAt(now).build(), now);
                    if (row.fleetId() != null) {
                        tx.fleets().find(row.fleetId()).ifPresent(f -> FleetBackoff.succeeded(tx, f, now));
                    }
                });
                LOG.info("Instance {} runs at {}; checking it over SSH", row.name(), up.hostname());
                reachable.run();
            }
            case INTERRUPTED, TERMINATED -> {
                finish(row, InstanceTerminationReason.ERROR, INTERRUPTED + status.reason());
                fleetInstanceFailed(row, INTERRUPTED + status.reason());
                hint(row);
            }
        }
    }

    private static final String INTERRUPTED = "The cloud took the instance back: ";

    /** Running instances: the cloud may take them back; the job they were made for may have ended. */
    private void watch(ProjectRow project, InstanceRow row, InstanceStatus status) {
        Optional<Backend> backend = backendOf(project, row);
        if (backend.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Instant last = lastWatched.get(row.id());
        if (last != null && now.isBefore(last.plus(watchInterval()))) {
            return;
        }
        lastWatched.put(row.id(), now);
        ai.dstack.spi.backend.InstanceStatus seen = backend.get().poll(provisioningData(row));
        if (seen.state() == ai.dstack.spi.backend.InstanceStatus.State.INTERRUPTED
                || seen.state() == ai.dstack.spi.backend.InstanceStatus.State.TERMINATED) {
            finish(row, InstanceTerminationReason.ERROR, INTERRUPTED + seen.reason());
            store.inReadOnlyTransaction(tx -> tx.jobs().listByInstance(row.id())).stream()
                    .filter(j -> !JobStatus.fromWireValue(j.status()).isFinished())
                    .forEach(j -> interruptedJobs.add(j.id()));
            interruptedJobs.forEach(hintJob);
            hint(row);
            return;
        }
        if (status != InstanceStatus.IDLE || row.busyBlocks() > 0) {
            return;
        }
        if (row.provisioningJobId() == null) {
            // a fleet's instance: terminated once idle for longer than the fleet's idle_duration
            Instant since = idleSince(row);
            if (row.terminationIdleTime() != null
                    && !now.isBefore(since.plusSeconds(row.terminationIdleTime())) && aboveMin(row)) {
                terminating(row, InstanceTerminationReason.IDLE_TIMEOUT, "idle for longer than "
                        + row.terminationIdleTime() + " s");
                terminate(project, store.inReadOnlyTransaction(tx -> tx.instances().find(row.id())).orElseThrow());
            }
            return;
        }
        Optional<JobRow> job = store.inReadOnlyTransaction(tx -> tx.jobs().find(row.provisioningJobId()));
        boolean jobOver = job.isEmpty() || JobStatus.fromWireValue(job.get().status()).isFinished();
        boolean othersRunHere = store.inReadOnlyTransaction(tx -> tx.jobs().listByInstance(row.id())).stream()
                .anyMatch(j -> !JobStatus.fromWireValue(j.status()).isFinished());
        if (jobOver && !othersRunHere) {
            terminating(row, InstanceTerminationReason.JOB_FINISHED, null);
            terminate(project, store.inReadOnlyTransaction(tx -> tx.instances().find(row.id())).orElseThrow());
        }
    }

    /**
     * Whether idle_duration may end this fleet instance: not when its fleet would go below {@code nodes.min}, as
     * dstack keeps them (and a terminate-create loop is avoided).
     */
    private boolean aboveMin(InstanceRow row) {
        if (row.fleetId() == null) {
            return true;
        }
        return store.inReadOnlyTransaction(tx -> {
            Optional<FleetRow> fleet = tx.fleets().find(row.fleetId()).filter(FleetGrowth::keepsMin);
            if (fleet.isEmpty()) {
                return true;
            }
            long live = tx.instances().listByFleet(row.fleetId()).stream().filter(i -> {
                InstanceStatus s = InstanceStatus.fromWireValue(i.status());
                return s != InstanceStatus.TERMINATING && s != InstanceStatus.TERMINATED;
            }).count();
            return live > read(fleet.get().spec(), FleetSpec.class).configuration().nodes().min();
        });
    }

    /** Idle since its last job finished, or since it started when it never ran one. */
    private Instant idleSince(InstanceRow row) {
        Instant since = row.startedAt() == null ? row.createdAt() : row.startedAt();
        for (JobRow job : store.inReadOnlyTransaction(tx -> tx.jobs().listByInstance(row.id()))) {
            if (job.finishedAt() != null && job.finishedAt().isAfter(since)) {
                since = job.finishedAt();
            }
        }
        return since;
    }

    private void hint(InstanceRow row) {
        if (row.provisioningJobId() != null) {
            hintJob.accept(row.provisioningJobId());
        }
    }

    /** When each running instance was last asked about; a cloud call per sweep would be too many. */
    private final java.util.Map<UUID, Instant> lastWatched = new java.util.concurrent.ConcurrentHashMap<>();

    /** Five sweeps, at most 15 s: a spot interruption is noticed well within AWS's two-minute warning. */
    private Duration watchInterval() {
        Duration five = sweep.multipliedBy(5);
        return five.compareTo(Duration.ofSeconds(15)) > 0 ? Duration.ofSeconds(15) : five;
    }

    /** Jobs whose instance the cloud took back: the job loop fails them as interrupted. */
    private final Set<UUID> interruptedJobs = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Whether the job's instance was taken back by the cloud (then it fails with interrupted_by_no_capacity). */
    public boolean interrupted(UUID jobId) {
        return interruptedJobs.remove(jobId);
    }

    private void terminate(ProjectRow project, InstanceRow row) {
        Optional<Backend> backend = backendOf(project, row);
        if (backend.isEmpty() || row.jobProvisioningData() == null) {
            finish(row, null, null);
            return;
        }
        if (backend.get().terminate(provisioningData(row))) {
            finish(row, null, null);
            LOG.info("Instance {} terminated", row.name());
        }
    }

    private void terminating(InstanceRow row, InstanceTerminationReason reason, String message) {
        Instant now = clock.instant();
        store.useTransaction(tx -> changed(tx, tx.instances().find(row.id()).orElseThrow(), current -> current
                .toBuilder().status(InstanceStatus.TERMINATING.wireValue()).terminationReason(reason.wireValue())
                .terminationReasonMessage(message).lastProcessedAt(now).build(), now));
    }

    /**
     * Ends the row as terminated. It stays readable (not deleted) until the job it was made for has finished, so the
     * job loop learns why (no offers, interrupted); {@link #forgetOnceTheJobKnows} deletes it then.
     */
    private void finish(InstanceRow row, InstanceTerminationReason reason, String message) {
        Instant now = clock.instant();
        InstanceRow before = store.inTransaction(tx -> {
            InstanceRow current = tx.instances().find(row.id()).orElseThrow();
            InstanceRow.Builder ended = current.toBuilder().status(InstanceStatus.TERMINATED.wireValue())
                    .finishedAt(now).lastProcessedAt(now);
            if (reason != null) {
                ended.terminationReason(reason.wireValue()).terminationReasonMessage(message);
            }
            changed(tx, current, unused -> ended.build(), now);
            return current;
        });
        if (before.remoteConnectionInfo() != null) {
            hostGone.accept(before);
        }
        capacityFreed.run();
    }

    /** Writes {@code change} of {@code current} unless another step leases the row, with its status event. */
    private boolean changed(StoreTransaction tx, InstanceRow current, java.util.function.UnaryOperator<InstanceRow> change,
            Instant now) {
        InstanceRow after = change.apply(current);
        boolean written = tx.instances().updateIfNotLeased(after, now);
        if (written) {
            events.instanceChanged(tx, current, after);
        }
        return written;
    }

    /** A terminated row goes once its job has finished, and the run's fleet with its last instance. */
    private void forgetOnceTheJobKnows(InstanceRow row) {
        Optional<JobRow> job = row.provisioningJobId() == null ? Optional.empty()
                : store.inReadOnlyTransaction(tx -> tx.jobs().find(row.provisioningJobId()));
        if (job.isPresent() && !JobStatus.fromWireValue(job.get().status()).isFinished()) {
            return;
        }
        if (row.provisioningJobId() == null && row.fleetId() != null && store.inReadOnlyTransaction(
                tx -> tx.fleets().find(row.fleetId())).filter(FleetGrowth::keepsMin).isPresent()) {
            return; // the fleet replaces it to keep nodes.min, made for what it was made for (FleetGrowth#refill)
        }
        Instant now = clock.instant();
        Optional<FleetRow> emptied = store.inTransaction(tx -> {
            tx.instances().updateIfNotLeased(tx.instances().find(row.id()).orElseThrow().toBuilder().deleted(true)
                    .deletedAt(now).lastProcessedAt(now).build(), now);
            if (row.fleetId() == null || !tx.instances().listByFleet(row.fleetId()).isEmpty()) {
                return Optional.<FleetRow>empty();
            }
            // a run's own fleet goes with its last instance; a fleet someone applied only when it is being deleted
            Optional<FleetRow> fleet = tx.fleets().find(row.fleetId()).filter(f -> !f.deleted())
                    .filter(f -> "terminating".equals(f.status()) || read(f.spec(), FleetSpec.class).autocreated());
            fleet.ifPresent(f -> tx.fleets().updateIfNotLeased(f.toBuilder().status("terminated").deleted(true)
                    .deletedAt(now).build(), now));
            return fleet;
        });
        if (emptied.isPresent() && row.requirements() != null) {
            PlacementGroupData group = read(row.requirements(), CloudRequest.class).placementGroup();
            if (group != null) {
                ProjectRow project = store.inReadOnlyTransaction(tx -> tx.projects().find(row.projectId()))
                        .orElseThrow();
                backends(project).stream().filter(b -> b.type().equals(group.backend())).findFirst()
                        .flatMap(Backend::placementGroups).ifPresent(groups -> groups.delete(group));
            }
        }
    }

    /** At start: VMs tagged for a project that no row tracks were made by a server that died; they go. */
    private void cleanUpUntracked() {
        try {
            for (ProjectRow project : store.inReadOnlyTransaction(tx -> tx.projects().list())) {
                List<Backend> backends = backends(project);
                if (backends.isEmpty()) {
                    continue;
                }
                Set<String> tracked = new HashSet<>();
                for (InstanceRow row : store.inReadOnlyTransaction(tx -> tx.instances().listByProject(project.id()))) {
                    if (!row.deleted() && row.jobProvisioningData() != null) {
                        tracked.add(read(row.jobProvisioningData(), JobProvisioningData.class).instanceId());
                    }
                }
                for (Backend backend : backends) {
                    cleanUpUntracked(project, backend, tracked);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Cleaning up untracked cloud instances failed: {}", e.getMessage(), e);
        }
    }

    /**
     * Terminates the backend's untracked instances of the project; when the project then has no instance there at all,
     * also its security groups and keys (what only instances use). Retried briefly while the cloud tears down.
     */
    private void cleanUpUntracked(ProjectRow project, Backend backend, Set<String> tracked) {
        for (int round = 0; round < 20; round++) {
            List<CloudResource> found = backend.findByTags(Tags.ofProject(project.name()));
            boolean anyTrackedInstance = found.stream().anyMatch(r -> r.kind().equals(CloudResource.INSTANCE)
                    && tracked.contains(r.id()));
            boolean pending = false;
            for (CloudResource resource : found) {
                boolean untrackedInstance = resource.kind().equals(CloudResource.INSTANCE)
                        && !tracked.contains(resource.id());
                boolean instanceOnly = resource.kind().equals("security-group") || resource.kind().equals("key-pair");
                if (untrackedInstance) {
                    LOG.warn("Instance {} ({} {}) of project {} is not tracked by any row: terminating it",
                            resource.id(), backend.type(), resource.dstackName(), project.name());
                } else if (!(instanceOnly && !anyTrackedInstance)) {
                    continue;
                }
                pending |= !backend.release(resource);
            }
            if (!pending) {
                return;
            }
            try {
                Thread.sleep(Math.min(5_000, 250L << Math.min(round, 4)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Optional<Backend> backendOf(ProjectRow project, InstanceRow row) {
        if (row.backend() == null || REMOTE.equals(row.backend())) {
            return Optional.empty();
        }
        return backends(project).stream().filter(b -> b.type().equals(row.backend())).findFirst();
    }

    /** The SPI's view of a row's provisioning data. */
    public static ProvisioningData provisioningData(InstanceRow row) {
        JobProvisioningData jpd = read(row.jobProvisioningData(), JobProvisioningData.class);
        return new ProvisioningData(jpd.backend(), jpd.instanceType(), jpd.instanceId(), jpd.hostname(),
                jpd.internalIp(), jpd.region(), jpd.availabilityZone(), jpd.price(),
                jpd.instanceType().resources().spot(), jpd.username(), jpd.sshPort() == null ? 22 : jpd.sshPort(),
                jpd.backendData());
    }

    /** The capacity reservation the row's instance was made with; null for none. */
    private static String reservationOf(InstanceRow row) {
        return row.jobProvisioningData() == null ? null
                : read(row.jobProvisioningData(), JobProvisioningData.class).reservation();
    }

    static JobProvisioningData jpd(ProvisioningData data, String reservation) {
        return new JobProvisioningData(data.backend(), null, data.instanceType(), data.instanceId(), data.hostname(),
                data.internalIp(), true, null, data.region(), data.availabilityZone(), reservation, data.price(),
                data.username(), data.sshPort(), false, null, data.backendData(), null);
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
