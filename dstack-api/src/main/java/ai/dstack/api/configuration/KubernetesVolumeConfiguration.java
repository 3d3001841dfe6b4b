package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes PersistentVolumeClaim: a new one ({@code size}, {@code storageClassName}, {@code accessModes}) or an
 * existing one named by {@code claimName}. {@code region} is the cluster, {@code ""} when not given.
 */
@JsonPropertyOrder({"type", "backend"})
public record KubernetesVolumeConfiguration(
        String name,
        Double size,
        Long autoCleanupDuration,
        Map<String, String> tags,
        String region,
        String claimName,
        String storageClassName,
        List<String> accessModes,
        boolean readOnly)
        implements VolumeConfiguration {
    public static final List<String> DEFAULT_ACCESS_MODES = List.of("ReadWriteOnce");

    public KubernetesVolumeConfiguration {
        region = Objects.requireNonNullElse(region, "");
        accessModes = accessModes == null ? DEFAULT_ACCESS_MODES : List.copyOf(accessModes);
    }

    @JsonProperty("type")
    @Override
    public ConfigurationType type() {
        return ConfigurationType.VOLUME;
    }

    @JsonProperty("backend")
    @Override
    public BackendType backend() {
        return BackendType.KUBERNETES;
    }

    @Override
    public String externalVolumeId() {
        return claimName;
    }
}
