package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What a job needs from an instance.
 *
 * @param resources the resources spec (cpu, memory, shm_size, gpu, disk)
 * @param maxPrice dollars per hour, or null for no limit
 * @param spot true for spot only, false for on-demand only, null for either ({@code spot_policy: auto})
 * @param multinode whether the job is part of a multi-node cluster; backends may filter offers on it
 * @param backendOptions per-backend options, or null
 */
public record Requirements(
        JsonNode resources, // TODO(lead): ai.dstack.api.configuration.ResourcesSpec
        Double maxPrice,
        Boolean spot,
        String reservation,
        Boolean multinode,
        JsonNode backendOptions) { // TODO(lead): the configuration model's backend options
    public Requirements {
        resources = Values.node(resources);
        Objects.requireNonNull(resources, "resources is null");
        backendOptions = Values.node(backendOptions);
    }
}
