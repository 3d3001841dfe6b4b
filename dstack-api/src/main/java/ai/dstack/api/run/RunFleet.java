package ai.dstack.api.run;

import java.util.Objects;
import java.util.UUID;

/** The fleet a run was placed on. */
public record RunFleet(UUID id, String name) {
    public RunFleet {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
    }
}
