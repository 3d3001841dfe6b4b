package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.VolumeConfiguration;
import ai.dstack.api.configuration.ZonalVolumeConfiguration;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.volume.Volume;
import ai.dstack.api.volume.VolumeAttachment;
import ai.dstack.api.volume.VolumeAttachmentData;
import ai.dstack.api.volume.VolumeInstance;
import ai.dstack.api.volume.VolumeProvisioningData;
import ai.dstack.api.volume.VolumeStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.internal.cloud.CloudVolumes;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.EventLog;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.runs.RunNames;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.UserRow;
import ai.dstack.spi.storage.VolumeAttachmentRow;
import ai.dstack.spi.storage.VolumeRow;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * dstack's volumes service: create (status {@code submitted}; {@link CloudVolumes} provisions it), list, get and
 * delete (marked {@code to_be_deleted}; refused while attached). Every field of a configuration takes effect or is
 * refused here by name.
 */
public final class Volumes {
    /** dstack's resource names. */
    static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9-]{1,40}$");

    private final EngineContext context;
    private final CloudVolumes cloud;
    private final RunNames names = new RunNames(new java.util.Random());

    public Volumes(EngineContext context, CloudVolumes cloud) {
        this.context = context;
        this.cloud = cloud;
    }

    public JsonNode create(ProjectRow project, UserRow user, JsonNode configurationJson) {
        if (configurationJson == null || configurationJson.isNull() || !configurationJson.isObject()) {
            throw new DstackException(ErrorCode.ERROR, "configuration: a volume configuration is required");
        }
        com.fasterxml.jackson.databind.node.ObjectNode withType = ((com.fasterxml.jackson.databind.node.ObjectNode)
                configurationJson.deepCopy());
        if (!withType.has("type")) {
            withType.put("type", "volume");
        }
        Configuration parsed;
        try {
            parsed = DstackYaml.fromJson(withType);
        } catch (DstackException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DstackException(ErrorCode.ERROR, "configuration: " + e.getMessage());
        }
        if (!(parsed instanceof VolumeConfiguration configuration)) {
            throw new DstackException(ErrorCode.ERROR, "configuration: type must be volume, not "
                    + parsed.type().wireValue());
        }
        return json(create(project, user, configuration));
    }

    public VolumeRow create(ProjectRow project, UserRow user, VolumeConfiguration configuration) {
        check(project, configuration);
        Instant now = context.clock.instant();
        VolumeRow created = context.store.inTransaction(tx -> {
            String name = configuration.name() != null ? configuration.name()
                    : names.generate(n -> tx.volumes().findByName(project.id(), n).isPresent());
            if (tx.volumes().findByName(project.id(), name).isPresent()) {
                throw new DstackException(ErrorCode.RESOURCE_EXISTS, "Volume with name '" + name + "' already exists");
            }
            VolumeRow row = new VolumeRow(UUID.randomUUID(), project.id(), user.id(), name,
                    VolumeStatus.SUBMITTED.wireValue(), null, DstackYaml.toJson(named(configuration, name)), null,
                    configuration.externalVolumeId() != null, now, now, false, null, false, null);
            tx.volumes().insert(row);
            context.events.record(tx, "Volume created. Status: SUBMITTED", user.id(), EventLog.volume(row));
            return row;
        });
        cloud.wake();
        return created;
    }

    /** Refuses, by name, every field this server cannot honour. */
    private void check(ProjectRow project, VolumeConfiguration configuration) {
        if (configuration.name() != null && !NAME.matcher(configuration.name()).matches()) {
            throw new DstackException(ErrorCode.ERROR, "name: '" + configuration.name() + "' must match "
                    + NAME.pattern());
        }
        String backend = configuration.backend().wireValue();
        if (!(configuration instanceof ZonalVolumeConfiguration)) {
            throw new DstackException(ErrorCode.ERROR, "backend: " + backend + " volumes are not supported by this"
                    + " server; use an aws, gcp or azure volume");
        }
        if (configuration.size() == null && configuration.externalVolumeId() == null) {
            throw new DstackException(ErrorCode.ERROR, "size: a volume needs `size` or an existing `volume_id`");
        }
        if (configuration.size() != null && configuration.externalVolumeId() != null) {
            throw new DstackException(ErrorCode.ERROR, "size: an existing volume (`volume_id`) keeps its own size;"
                    + " remove `size`");
        }
        if (configuration.externalVolumeId() != null && configuration.autoCleanupDuration() != null
                && configuration.autoCleanupDuration() > 0) {
            throw new DstackException(ErrorCode.ERROR, "auto_cleanup_duration: external volumes (`volume_id`) do not"
                    + " support auto_cleanup_duration; auto-cleanup only works for volumes created and managed by"
                    + " dstack");
        }
        if (!cloud.volumeBackends(project).contains(backend)) {
            throw new DstackException(ErrorCode.ERROR, "backend: project " + project.name() + " has no " + backend
                    + " backend that provisions volumes (its volume backends: "
                    + String.join(", ", cloud.volumeBackends(project)) + "); configure one or use another `backend`");
        }
    }

    private static VolumeConfiguration named(VolumeConfiguration c, String name) {
        if (c instanceof ZonalVolumeConfiguration z && z.name() == null) {
            return new ZonalVolumeConfiguration(z.backend(), name, z.size(), z.autoCleanupDuration(), z.tags(),
                    z.region(), z.availabilityZone(), z.volumeId());
        }
        return c;
    }

    public List<JsonNode> list(ProjectRow project) {
        return context.store.inReadOnlyTransaction(tx -> tx.volumes().listByProject(project.id()).stream()
                .map(v -> json(tx, project.name(), v)).toList());
    }

    /** {@code /api/volumes/list}: the given projects' volumes, newest first unless {@code ascending}. */
    public List<JsonNode> listAll(List<ProjectRow> projects, boolean onlyActive, Instant prevCreatedAt, UUID prevId,
            int limit, boolean ascending) {
        return context.store.inReadOnlyTransaction(tx -> {
            List<VolumeRow> rows = new ArrayList<>();
            for (ProjectRow p : projects) {
                rows.addAll(tx.volumes().listByProject(p.id()));
            }
            java.util.Comparator<VolumeRow> order = java.util.Comparator.comparing(VolumeRow::createdAt)
                    .thenComparing(VolumeRow::id);
            rows.sort(ascending ? order : order.reversed());
            List<JsonNode> out = new ArrayList<>();
            for (VolumeRow row : rows) {
                if (out.size() >= limit) {
                    break;
                }
                if (onlyActive && !VolumeStatus.ACTIVE.wireValue().equals(row.status())) {
                    continue;
                }
                if (prevCreatedAt != null) {
                    int c = row.createdAt().compareTo(prevCreatedAt);
                    if (c == 0 && prevId != null) {
                        c = row.id().compareTo(prevId);
                    }
                    if (ascending ? c <= 0 : c >= 0) {
                        continue; // on an earlier page
                    }
                }
                String projectName = projects.stream().filter(p -> p.id().equals(row.projectId())).findFirst()
                        .orElseThrow().name();
                out.add(json(tx, projectName, row));
            }
            return out;
        });
    }

    public JsonNode get(ProjectRow project, String name) {
        return context.store.inReadOnlyTransaction(tx -> tx.volumes().findByName(project.id(), name)
                .map(v -> json(tx, project.name(), v))
                .orElseThrow(() -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Volume not found")));
    }

    /**
     * Marks the volumes to be deleted (the volume step deletes them in the cloud); none if one is attached. Unknown
     * names are skipped, as dstack's service does.
     */
    public void delete(ProjectRow project, UserRow user, List<String> volumeNames) {
        context.store.useTransaction(tx -> {
            List<VolumeRow> rows = new ArrayList<>();
            for (String name : volumeNames) {
                tx.volumes().findByName(project.id(), name).ifPresent(rows::add);
            }
            for (VolumeRow row : rows) {
                if (!tx.volumes().attachments(row.id()).isEmpty()) {
                    throw new DstackException(ErrorCode.ERROR, "Volume " + row.name() + " is in use: it is attached"
                            + " to a running job's instance; delete it after the run ends");
                }
            }
            for (VolumeRow row : rows) {
                if (!row.toBeDeleted()) {
                    tx.volumes().update(row.markedToBeDeleted(), row.status());
                    context.events.record(tx, "Volume marked for deletion", user.id(), EventLog.volume(row));
                }
            }
        });
        cloud.wake();
    }

    public JsonNode json(VolumeRow row) {
        return context.store.inReadOnlyTransaction(tx -> json(tx, tx.projects().find(row.projectId())
                .map(ProjectRow::name).orElse(""), row));
    }

    private static JsonNode json(StoreTransaction tx, String projectName, VolumeRow row) {
        return DstackJson.mapper().valueToTree(view(tx, projectName, row));
    }

    /** dstack's Volume. */
    static Volume view(StoreTransaction tx, String projectName, VolumeRow row) {
        String user = tx.users().find(row.userId()).map(UserRow::name).orElse("");
        VolumeConfiguration configuration = (VolumeConfiguration) DstackYaml.fromJson(
                Json.read(row.configuration(), JsonNode.class));
        VolumeData data = Json.read(row.volumeProvisioningData(), VolumeData.class);
        VolumeProvisioningData provisioning = data == null ? null : new VolumeProvisioningData(data.backend(),
                data.volumeId(), data.sizeGb(), data.availabilityZone(), data.price() == 0 ? null : data.price(),
                true, true, null);
        List<VolumeAttachment> attachments = new ArrayList<>();
        for (VolumeAttachmentRow attachment : tx.volumes().attachments(row.id())) {
            InstanceRow instance = tx.instances().find(attachment.instanceId()).orElse(null);
            if (instance == null) {
                continue;
            }
            String fleet = instance.fleetId() == null ? null
                    : tx.fleets().find(instance.fleetId()).map(f -> f.name()).orElse(null);
            VolumeAttachmentData attached = Json.read(attachment.attachmentData(), VolumeAttachmentData.class);
            String instanceId = instance.jobProvisioningData() == null ? null
                    : Json.read(instance.jobProvisioningData(), JsonNode.class).path("instance_id").asText(null);
            attachments.add(new VolumeAttachment(new VolumeInstance(instance.name(), fleet, instance.instanceNum(),
                    instanceId), attached));
        }
        return new Volume(row.id(), row.name(), user, projectName, configuration, row.external(), row.createdAt(),
                row.lastProcessedAt(), VolumeStatus.fromWireValue(row.status()), row.statusMessage(), row.deleted(),
                row.deletedAt(), data == null ? null : data.volumeId(), provisioning, 0, attachments,
                attachments.isEmpty() ? null : attachments.get(0).attachmentData());
    }
}
