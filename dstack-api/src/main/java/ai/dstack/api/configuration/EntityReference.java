package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** A reference to a fleet (or another entity), possibly in another project: {@code name} or {@code project/name}. */
public record EntityReference(String project, String name) {
    public EntityReference {
        Objects.requireNonNull(name, "name is null");
    }

    /**
     * Reads the wire form {@code {"project": ..., "name": ...}}, or the string {@code name} / {@code project/name}
     * that servers before 0.20.14 sent.
     *
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static EntityReference fromWire(JsonNode value) {
        if (value.isTextual()) {
            String text = value.textValue();
            int slash = text.indexOf('/');
            if (slash < 0) {
                return new EntityReference(null, text);
            }
            if (slash > 0 && slash < text.length() - 1 && text.indexOf('/', slash + 1) < 0) {
                return new EntityReference(text.substring(0, slash), text.substring(slash + 1));
            }
        } else if (value.path("name").isTextual()) {
            JsonNode project = value.path("project");
            return new EntityReference(project.isTextual() ? project.textValue() : null, value.get("name").textValue());
        }
        throw new IllegalArgumentException("Invalid entity reference " + value
                + ". Only `<name>` or `<project>/<name>` formats are allowed");
    }

    @Override
    public String toString() {
        return project == null ? name : project + "/" + name;
    }
}
