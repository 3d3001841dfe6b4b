package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;

import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.KubernetesVolumeConfiguration;
import ai.dstack.api.configuration.RunpodVolumeConfiguration;
import ai.dstack.api.configuration.VolumeConfiguration;
import ai.dstack.api.configuration.ZonalVolumeConfiguration;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code type: volume} in dstack's two passes: first the fields every volume has (errors under
 * {@code volume}), then the backend's own model, picked by {@code backend} (errors under the backend's name,
 * e.g. {@code aws.region}).
 */
public final class VolumeReader {
    /** dstack's volume backends, and azure (managed disks), which this server adds. */
    private static final List<String> BACKENDS = List.of("aws", "azure", "gcp", "runpod", "kubernetes");
    private static final String SHOWN_BACKENDS = "<BackendType.AWS: 'aws'>, <BackendType.AZURE: 'azure'>, "
            + "<BackendType.GCP: 'gcp'>, <BackendType.RUNPOD: 'runpod'>, <BackendType.KUBERNETES: 'kubernetes'>";
    private static final String[] COMMON_FIELDS = {"type", "backend", "name", "size", "auto_cleanup_duration", "tags"};

    private VolumeReader() {}

    public static VolumeConfiguration volume(MappingReader o) {
        ReadContext ctx = o.ctx();
        int mark = ctx.mark();
        // Pass 1: unknown fields are left for pass 2, as dstack ignores them here.
        YamlValue backendValue = o.req("backend", (c, v, l) -> v);
        String name = o.opt("name", Coerce::string);
        Double size = o.opt("size", ResourcesReader::memory);
        Long autoCleanup = ProfileReader.idleDuration(o, "auto_cleanup_duration");
        Map<String, String> tags = o.opt("tags", ProfileReader::tags);
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        // The union of backend models sits at the root, so an unknown backend is reported there (loc "").
        String backend = Discriminator.tag(ctx, o.value(), "backend", "", BACKENDS, SHOWN_BACKENDS);
        if (backend == null) {
            return null;
        }
        MappingReader b = MappingReader.of(ctx, o.value(), backend);
        b.accept(COMMON_FIELDS);
        VolumeConfiguration volume = switch (backend) {
            case "aws", "azure", "gcp" -> {
                String region = b.req("region", Coerce::string);
                String zone = b.opt("availability_zone", Coerce::string);
                String volumeId = b.opt("volume_id", Coerce::string);
                yield region == null ? null : new ZonalVolumeConfiguration(BackendType.fromWireValue(backend), name, size,
                        autoCleanup, tags, region, zone, volumeId);
            }
            case "runpod" -> {
                String region = b.req("region", Coerce::string);
                b.opt("availability_zone", Coerce::string); // accepted from older clients, then dropped
                String volumeId = b.opt("volume_id", Coerce::string);
                yield region == null ? null : new RunpodVolumeConfiguration(name, size, autoCleanup, tags, region, volumeId);
            }
            default -> {
                String region = b.get("region", Coerce::string, "");
                String claimName = b.opt("claim_name", Coerce::string);
                String storageClass = b.opt("storage_class_name", Coerce::string);
                List<String> accessModes = b.get("access_modes", ProfileReader.STRINGS,
                        KubernetesVolumeConfiguration.DEFAULT_ACCESS_MODES);
                Boolean readOnly = b.get("read_only", Coerce::bool, false);
                yield region == null || accessModes == null || readOnly == null ? null
                        : new KubernetesVolumeConfiguration(name, size, autoCleanup, tags, region, claimName, storageClass,
                                accessModes, readOnly);
            }
        };
        b.finish();
        return ctx.cleanSince(mark) ? volume : null;
    }
}
