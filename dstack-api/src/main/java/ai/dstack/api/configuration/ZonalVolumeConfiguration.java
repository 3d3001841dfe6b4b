package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;
import java.util.Objects;

/** An AWS EBS or GCP persistent-disk volume: it lives in a region and one of its availability zones. */
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
        if (backend != BackendType.AWS && backend != BackendType.GCP) {
            throw new IllegalArgumentException("zonal volumes are aws or gcp, not " + backend);
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
