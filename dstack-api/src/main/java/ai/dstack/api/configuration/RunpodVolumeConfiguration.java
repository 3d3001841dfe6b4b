package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;
import java.util.Objects;

/** A RunPod network volume. RunPod has no availability zones; an {@code availability_zone} given is ignored. */
@JsonPropertyOrder({"type", "backend"})
public record RunpodVolumeConfiguration(
        String name,
        Double size,
        Long autoCleanupDuration,
        Map<String, String> tags,
        String region,
        String volumeId)
        implements VolumeConfiguration {
    public RunpodVolumeConfiguration {
        Objects.requireNonNull(region, "region is null");
    }

    @JsonProperty("type")
    @Override
    public ConfigurationType type() {
        return ConfigurationType.VOLUME;
    }

    @JsonProperty("backend")
    @Override
    public BackendType backend() {
        return BackendType.RUNPOD;
    }

    @Override
    public String externalVolumeId() {
        return volumeId;
    }
}
