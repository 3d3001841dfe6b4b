package ai.dstack.api.configuration;

import java.util.List;
import java.util.Map;

/**
 * The placement and lifecycle settings that runs (and profiles) share: where to run, spot or not, retry, time
 * limits, instance reuse. Every field is optional; {@link #NONE} has none set. Durations are seconds;
 * {@code idleDuration} -1 means off.
 */
public record ProfileParams(
        List<BackendType> backends,
        List<String> regions,
        List<String> availabilityZones,
        List<String> instanceTypes,
        String reservation,
        SpotPolicy spotPolicy,
        RetrySpec retry,
        OffDuration maxDuration,
        OffDuration stopDuration,
        Double maxPrice,
        CreationPolicy creationPolicy,
        Long idleDuration,
        UtilizationPolicy utilizationPolicy,
        StartupOrder startupOrder,
        StopCriteria stopCriteria,
        Schedule schedule,
        List<EntityReference> fleets,
        List<InstanceSelector> instances,
        Map<String, String> tags,
        List<Map<String, Object>> backendOptions) {
    public static final ProfileParams NONE = new ProfileParams(null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null);
}
