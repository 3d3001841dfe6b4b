package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;

/** Picks existing fleet instances for a run: by name, by hostname, or by fleet and instance number. */
public sealed interface InstanceSelector {
    record ByName(String name) implements InstanceSelector {}

    record ByHostname(String hostname) implements InstanceSelector {}

    record ByFleetInstance(EntityReference fleet, int instance) implements InstanceSelector {}

    /**
     * Reads the wire form: a name string, {@code {"name"}}, {@code {"hostname"}} or {@code {"fleet", "instance"}}
     * (the fleet as {@code "name"}, {@code "project/name"} or an object).
     *
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static InstanceSelector fromWire(JsonNode value) {
        if (value.isTextual()) {
            return new ByName(value.textValue());
        }
        if (value.has("fleet") && value.path("instance").canConvertToInt()) {
            return new ByFleetInstance(EntityReference.fromWire(value.get("fleet")), value.get("instance").intValue());
        }
        if (value.path("hostname").isTextual()) {
            return new ByHostname(value.get("hostname").textValue());
        }
        if (value.path("name").isTextual()) {
            return new ByName(value.get("name").textValue());
        }
        throw new IllegalArgumentException("Invalid instance selector " + value
                + ": expected a name, {name}, {hostname} or {fleet, instance}");
    }
}
