package ai.dstack.api.configuration;

import java.util.Map;

/**
 * A {@code type: volume} configuration; its {@code backend} decides which fields it has. {@code size} is in
 * gigabytes; {@code autoCleanupDuration} is seconds, -1 meaning off.
 */
public sealed interface VolumeConfiguration extends Configuration
        permits ZonalVolumeConfiguration, RunpodVolumeConfiguration, KubernetesVolumeConfiguration {
    BackendType backend();

    Double size();

    Long autoCleanupDuration();

    Map<String, String> tags();

    /** The region; Kubernetes volumes have none ({@code ""}) unless one is given. */
    String region();

    /** The id of an existing volume to register instead of creating one, or null. */
    String externalVolumeId();

    @Override
    default ConfigurationType type() {
        return ConfigurationType.VOLUME;
    }
}
