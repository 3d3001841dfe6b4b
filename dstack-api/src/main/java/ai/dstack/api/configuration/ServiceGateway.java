package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/** {@code gateway:} of a service: {@code true} (the default gateway), {@code false} (none), or a named gateway. */
public sealed interface ServiceGateway {
    /** {@code gateway: true} or {@code gateway: false}. */
    record Flag(boolean enabled) implements ServiceGateway {
        @JsonValue
        public boolean enabled() {
            return enabled;
        }
    }

    /** A gateway by name, possibly in another project. */
    record Named(EntityReference reference) implements ServiceGateway {
        public Named {
            Objects.requireNonNull(reference, "reference is null");
        }

        @JsonValue
        public EntityReference reference() {
            return reference;
        }
    }
}
