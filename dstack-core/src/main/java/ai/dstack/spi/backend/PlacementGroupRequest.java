package ai.dstack.spi.backend;

import java.util.Objects;

/**
 * A placement group to create.
 *
 * @param project the project's name ({@code dstack_project} tag)
 * @param name dstack's name for it, e.g. the fleet's name with a suffix ({@code dstack_name} tag)
 * @param region where its instances will be
 */
public record PlacementGroupRequest(String project, String name, String region) {
    public PlacementGroupRequest {
        Objects.requireNonNull(project, "project is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(region, "region is null");
    }
}
