package ai.dstack.spi.backend;

import java.util.Objects;

/**
 * A placement group as the engine tracks it.
 *
 * @param backend the backend type
 * @param name the cloud's name of it
 * @param region its region
 */
public record PlacementGroupData(String backend, String name, String region) {
    public PlacementGroupData {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(region, "region is null");
    }
}
