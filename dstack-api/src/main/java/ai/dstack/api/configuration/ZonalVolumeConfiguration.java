package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;
import java.util.Objects;

/**
 * An AWS EBS, GCP persistent-disk or Azure managed-disk volume: it lives in a region and one of its availability zones
 * (an Azure disk in a location without zones has none).
 */
@JsonPropertyOrder({"type", "backend"})
public record ZonalVolumeConfiguration(
        BackendType backend,
        String name,
        Double size,
        Long autoCleanupDuration,
        Map<String, String> tags,
        String region,
        String availabilityZone,
        String volumeId)
        implements VolumeConfiguration {
    public ZonalVolumeConfiguration {
        if (backend != BackendType.AWS && backend != BackendType.GCP && backend != BackendType.AZURE) {
            throw new IllegalArgumentException("zonal volumes are aws, gcp or azure, not " + backend);
        }
        Objects.requireNonNull(region, "region is null");
    }

    @JsonProperty("type")
    @Override
    public ConfigurationType type() {
        return ConfigurationType.VOLUME;
    }

    @Override
    public String externalVolumeId() {
        return volumeId;
    }
}
