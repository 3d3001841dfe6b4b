package ai.dstack.core.internal.cloud;

import ai.dstack.core.internal.context.DaemonThreads;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volume step (dstack's VolumePipeline): a {@code submitted} volume is created through its backend's
 * {@link VolumeSupport} (or an existing {@code volume_id} registered) and becomes {@code active} with its
 * provisioning data, or {@code failed} with the cloud's words; a volume marked {@code to_be_deleted} and no longer
 * attached is deleted in the cloud (an external one is left there) and then flagged {@code deleted}. Each change is a
 * compare-and-set on the status, so two engines on one database never both create or delete a volume.
 */
public final class CloudVolumes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloudVolumes.class);

    private final StateStore store;
    private final Clock clock;
    private final CloudProvisioning cloud;
    private final EventLog events;
    private final Duration sweep;
    private final ScheduledExecutorService loop = DaemonThreads.scheduler("dstack-volumes");

    public CloudVolumes(StateStore store, Clock clock, CloudProvisioning cloud, EventLog events, Duration sweep) {
        this.store = store;
        this.clock = clock;
        this.cloud = cloud;
        this.events = events;
        this.sweep = sweep;
    }

    public void start() {
        long millis = Math.max(50, sweep.toMillis());
        loop.scheduleWithFixedDelay(this::pass, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Runs a pass soon (a volume was created or marked for deletion). */
    public void wake() {
        try {
            loop.execute(this::pass);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
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

    private void step(VolumeRow volume) {
        if (volume.toBeDeleted()) {
            delete(volume);
        } else if (VolumeStatus.SUBMITTED.wireValue().equals(volume.status())) {
            provision(volume);
        }
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
        String user = store.inReadOnlyTransaction(tx -> tx.users().find(volume.userId())).map(u -> u.name())
                .orElse("unknown");
        Integer size = configuration.size() == null ? null : (int) Math.ceil(configuration.size());
        try {
            VolumeData data = support.get().create(new VolumeRequest(project.name(), volume.name(), user,
                    configuration.region(), configuration.availabilityZone(), size, configuration.volumeId(),
                    configuration.tags()));
            changed(claimed, claimed.withProvisioningData(Json.write(data))
                    .withStatus(VolumeStatus.ACTIVE.wireValue(), null, clock.instant()));
            LOG.info("Volume {}: {} {} in {} is active", volume.name(), backendType, data.volumeId(),
                    data.availabilityZone() == null ? data.region() : data.availabilityZone());
        } catch (BackendException e) {
            changed(claimed, claimed.withStatus(VolumeStatus.FAILED.wireValue(), e.getMessage(), clock.instant()));
        }
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
        loop.shutdownNow();
    }
}
