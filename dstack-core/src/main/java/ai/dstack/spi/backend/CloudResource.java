package ai.dstack.spi.backend;

import java.util.Map;
import java.util.Objects;

/**
 * Something a backend created in the cloud, as {@link Backend#findByTags} reports it.
 *
 * @param kind what it is, in the backend's words, e.g. {@code instance}, {@code security-group}, {@code key-pair},
 *     {@code volume}, {@code placement-group}
 * @param id the cloud's id of it
 * @param region where it is
 * @param tags all its tags
 */
public record CloudResource(String kind, String id, String region, Map<String, String> tags) {
    public static final String INSTANCE = "instance";

    public CloudResource {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(region, "region is null");
        tags = Map.copyOf(tags);
    }

    /** The {@code dstack_name} tag: the instance, volume or group name dstack gave it; null when absent. */
    public String dstackName() {
        return tags.get(Tags.NAME);
    }
}
