package ai.dstack.api.configuration;

import java.util.Objects;

/** A reference to a fleet (or another entity), possibly in another project: {@code name} or {@code project/name}. */
public record EntityReference(String project, String name) {
    public EntityReference {
        Objects.requireNonNull(name, "name is null");
    }

    @Override
    public String toString() {
        return project == null ? name : project + "/" + name;
    }
}
