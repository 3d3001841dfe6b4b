package ai.dstack.core.internal.cloud;

import ai.dstack.api.configuration.VolumeConfiguration;
import ai.dstack.api.configuration.ZonalVolumeConfiguration;
import ai.dstack.api.volume.VolumeStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.internal.context.EventLog;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.backend.VolumeRequest;
import ai.dstack.spi.backend.VolumeSupport;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.VolumeRow;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volume step (dstack's VolumePipeline): a {@code submitted} volume is created through its backend's
 * {@link VolumeSupport} (or an existing {@code volume_id} registered) and becomes {@code active} with its
 * provisioning data, or {@code failed} with the cloud's words; a volume marked {@code to_be_deleted} and no longer
 * attached is deleted in the cloud (an external one is left there) and then flagged {@code deleted}; an active one
 * unused for longer than its {@code auto_cleanup_duration} is marked so first. A volume a stopped server left
 * {@code provisioning} is taken up again ({@link #LEFT_PROVISIONING}). Each change is a compare-and-set on the status,
 * so two engines on one database never both create or delete a volume.
 */
public final class CloudVolumes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloudVolumes.class);
    /** Longer than any backend's create (AWS waits up to two minutes for a volume to become available). */
    static final Duration LEFT_PROVISIONING = Duration.ofMinutes(5);

    private final StateStore store;
    private final Clock clock;
    private final CloudProvisioning cloud;
    private final EventLog events;
    private final SweepLoop loop;

    public CloudVolumes(StateStore store, Clock clock, CloudProvisioning cloud, EventLog events, Duration sweep) {
        this.store = store;
        this.clock = clock;
        this.cloud = cloud;
        this.events = events;
        this.loop = new SweepLoop("dstack-volumes", sweep, this::pass);
    }

    public void start() {
        loop.start();
    }

    /** Runs a pass soon (a volume was created or marked for deletion). */
    public void wake() {
        loop.wake();
    }

    /** The types of the project's backends that provision volumes. */
    public TreeSet<String> volumeBackends(ProjectRow project) {
        TreeSet<String> types = new TreeSet<>();
        for (Backend backend : cloud.backends(project)) {
            if (backend.volumes().isPresent()) {
                types.add(backend.type());
            }
        }
        return types;
    }

    /** The volume support of the project's backend of this type. */
    public Optional<VolumeSupport> support(ProjectRow project, String backendType) {
        return cloud.backends(project).stream().filter(b -> b.type().equals(backendType)).findFirst()
                .flatMap(Backend::volumes);
    }

    private void pass() {
        try {
            for (VolumeRow volume : store.inReadOnlyTransaction(tx -> tx.volumes().listAll())) {
                try {
                    step(volume);
                } catch (RuntimeException e) {
                    LOG.warn("Volume {}: {}", volume.name(), e.getMessage(), e);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("The volume pass failed; it runs again", e);
        }
    }

    /** The engine's clock (the volume step's idea of now). */
    Instant now() {
        return clock.instant();
    }

    private void step(VolumeRow volume) {
        if (volume.toBeDeleted()) {
            delete(volume);
        } else if (VolumeStatus.SUBMITTED.wireValue().equals(volume.status())) {
            provision(volume);
        } else if (VolumeStatus.PROVISIONING.wireValue().equals(volume.status())) {
            resume(volume);
        } else if (VolumeStatus.ACTIVE.wireValue().equals(volume.status()) && idleTooLong(volume)) {
            VolumeRow marked = volume.markedToBeDeleted();
            boolean written = store.inTransaction(tx -> {
                if (!tx.volumes().update(marked, volume.status())) {
                    return false;
                }
                events.record(tx, "Volume marked for deletion due to exceeding auto_cleanup_duration", null,
                        EventLog.volume(volume));
                return true;
            });
            if (written) {
                LOG.info("Volume {}: unused for longer than auto_cleanup_duration; deleting it", volume.name());
                delete(marked);
            }
        }
    }

    /**
     * dstack's {@code auto_cleanup_duration}: a volume dstack made, attached to nothing, unused for longer than that
     * since a job last used it (or since it was made) is deleted. Unset, {@code off} or -1 keeps it.
     */
    private boolean idleTooLong(VolumeRow volume) {
        Long seconds = configuration(volume).autoCleanupDuration();
        if (seconds == null || seconds <= 0 || volume.external()) {
            return false;
        }
        Instant since = volume.lastJobProcessedAt() != null ? volume.lastJobProcessedAt() : volume.createdAt();
        return clock.instant().isAfter(since.plusSeconds(seconds))
                && store.inReadOnlyTransaction(tx -> tx.volumes().attachments(volume.id())).isEmpty();
    }

    private void provision(VolumeRow volume) {
        Instant now = clock.instant();
        VolumeRow claimed = volume.withStatus(VolumeStatus.PROVISIONING.wireValue(), null, now);
        if (!changed(volume, claimed)) {
            return; // another engine took it
        }
        ProjectRow project = store.inReadOnlyTransaction(tx -> tx.projects().find(volume.projectId())).orElseThrow();
        ZonalVolumeConfiguration configuration = (ZonalVolumeConfiguration) configuration(volume);
        String backendType = configuration.backend().wireValue();
        Optional<VolumeSupport> support = support(project, backendType);
        if (support.isEmpty()) {
            changed(claimed, claimed.withStatus(VolumeStatus.FAILED.wireValue(), "Backend " + backendType
                    + " is not configured in project " + project.name() + " or cannot provision volumes", clock.instant()));
            return;
        }
        VolumeRequest request = request(volume, project, configuration);
        try {
            active(claimed, support.get().create(request));
        } catch (BackendException e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // the engine is stopping: the volume stays provisioning, and the next start resumes it
            }
            changed(claimed, claimed.withStatus(VolumeStatus.FAILED.wireValue(), e.getMessage(), clock.instant()));
        }
    }

    private VolumeRequest request(VolumeRow volume, ProjectRow project, ZonalVolumeConfiguration configuration) {
        String user = store.inReadOnlyTransaction(tx -> tx.users().find(volume.userId())).map(u -> u.name())
                .orElse("unknown");
        Integer size = configuration.size() == null ? null : (int) Math.ceil(configuration.size());
        return new VolumeRequest(project.name(), volume.name(), user, configuration.region(),
                configuration.availabilityZone(), size, configuration.volumeId(), configuration.tags());
    }

    private void active(VolumeRow provisioning, VolumeData data) {
        changed(provisioning, provisioning.withProvisioningData(Json.write(data))
                .withStatus(VolumeStatus.ACTIVE.wireValue(), null, clock.instant()));
        LOG.info("Volume {}: {} {} in {} is active", provisioning.name(), data.backend(), data.volumeId(),
                data.availabilityZone() == null ? data.region() : data.availabilityZone());
    }

    /**
     * A volume left {@code provisioning} (its server stopped while creating it; claimed longer than
     * {@link #LEFT_PROVISIONING} ago, so no live engine is still at it): the cloud volume that creation made is found
     * by its tags (an existing {@code volume_id} is looked up again) and the volume becomes active with it, or fails
     * saying none was found.
     */
    private void resume(VolumeRow volume) {
        if (clock.instant().isBefore(volume.lastProcessedAt().plus(LEFT_PROVISIONING))) {
            return;
        }
        VolumeRow claimed = volume.withStatus(VolumeStatus.PROVISIONING.wireValue(), null, clock.instant());
        if (!changed(volume, claimed)) {
            return; // another engine took it
        }
        ProjectRow project = store.inReadOnlyTransaction(tx -> tx.projects().find(volume.projectId())).orElseThrow();
        ZonalVolumeConfiguration configuration = (ZonalVolumeConfiguration) configuration(volume);
        String backendType = configuration.backend().wireValue();
        Optional<VolumeSupport> support = support(project, backendType);
        String failure;
        try {
            VolumeRequest request = request(volume, project, configuration);
            Optional<VolumeData> found = support.isEmpty() ? Optional.empty()
                    : request.volumeId() != null ? Optional.of(support.get().create(request))
                    : support.get().findCreated(request);
            if (found.isPresent()) {
                LOG.info("Volume {}: found {} {} made before the server stopped", volume.name(), backendType,
                        found.get().volumeId());
                active(claimed, found.get());
                return;
            }
            failure = support.isEmpty() ? "Backend " + backendType + " is not configured in project " + project.name()
                    : "The server stopped while creating the volume, and " + backendType + " has no volume tagged "
                    + "for it (dstack_project=" + project.name() + ", dstack_name=" + volume.name() + ")";
        } catch (BackendException e) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            failure = "The server stopped while creating the volume, and finding it failed: " + e.getMessage();
        }
        changed(claimed, claimed.withStatus(VolumeStatus.FAILED.wireValue(), failure + "; delete the volume and "
                + "apply it again", clock.instant()));
    }

    private void delete(VolumeRow volume) {
        if (!store.inReadOnlyTransaction(tx -> tx.volumes().attachments(volume.id())).isEmpty()) {
            return; // still attached: a job's end detaches it first
        }
        VolumeData data = Json.read(volume.volumeProvisioningData(), VolumeData.class);
        if (data != null && !data.external()) {
            ProjectRow project = store.inReadOnlyTransaction(tx -> tx.projects().find(volume.projectId())).orElseThrow();
            Optional<VolumeSupport> support = support(project, data.backend());
            if (support.isEmpty()) {
                LOG.warn("Volume {}: backend {} is gone from project {}; the cloud volume {} is left there",
                        volume.name(), data.backend(), project.name(), data.volumeId());
            } else {
                try {
                    support.get().delete(data);
                } catch (BackendException e) {
                    LOG.warn("Volume {}: deleting {} failed, tried again: {}", volume.name(), data.volumeId(),
                            e.getMessage());
                    return;
                }
            }
        }
        Instant now = clock.instant();
        store.useTransaction(tx -> {
            if (tx.volumes().update(volume.deletedAt(now), volume.status())) {
                events.record(tx, "Volume deleted", null, EventLog.volume(volume));
            }
        });
        LOG.info("Volume {} deleted", volume.name());
    }

    static VolumeConfiguration configuration(VolumeRow volume) {
        return (VolumeConfiguration) DstackYaml.fromJson(Json.read(volume.configuration(), JsonNode.class));
    }

    private boolean changed(VolumeRow before, VolumeRow after) {
        return store.inTransaction(tx -> {
            if (!tx.volumes().update(after, before.status())) {
                return false;
            }
            events.volumeChanged(tx, before, after);
            return true;
        });
    }

    @Override
    public void close() {
        loop.close();
    }
}
