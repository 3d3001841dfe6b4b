package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import ai.dstack.api.resources.ResourcesSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a job needs from an instance.
 *
 * @param resources the resources spec (cpu, memory, shm_size, gpu, disk)
 * @param maxPrice dollars per hour, or null for no limit
 * @param spot true for spot only, false for on-demand only, null for either ({@code spot_policy: auto})
 * @param multinode whether the job is part of a multi-node cluster; backends may filter offers on it
 * @param backendOptions per-backend options as in {@code ProfileParams#backendOptions()}, or null
 */
public record Requirements(
        ResourcesSpec resources,
        Double maxPrice,
        Boolean spot,
        String reservation,
        Boolean multinode,
        List<Map<String, Object>> backendOptions) {
    public Requirements {
        Objects.requireNonNull(resources, "resources is null");
        backendOptions = Values.listOrNull(backendOptions);
    }
}
