package ai.dstack.api.offer;

import java.util.Objects;

/** A backend's instance type, e.g. {@code p4d.24xlarge}, and what it has. */
public record InstanceType(String name, Resources resources) {
    public InstanceType {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(resources, "resources is null");
    }
}
