package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;

/** The {@code type:} of a {@code .dstack.yml} file. */
public enum ConfigurationType {
    TASK("task"),
    SERVICE("service"),
    DEV_ENVIRONMENT("dev-environment"),
    FLEET("fleet"),
    VOLUME("volume"),
    GATEWAY("gateway");

    private final String wireValue;

    ConfigurationType(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The type named {@code value} as written in YAML, or {@code null} when there is none. */
    public static ConfigurationType fromWireValue(String value) {
        for (ConfigurationType type : values()) {
            if (type.wireValue.equals(value)) {
                return type;
            }
        }
        return null;
    }

    public boolean isRun() {
        return this == TASK || this == SERVICE || this == DEV_ENVIRONMENT;
    }
}
