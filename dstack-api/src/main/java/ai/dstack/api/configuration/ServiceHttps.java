package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;

/** {@code https:} of a service: on, off, or {@code auto} (as the gateway is configured). */
public enum ServiceHttps {
    ON(true),
    OFF(false),
    AUTO("auto");

    private final Object wireValue;

    ServiceHttps(Object wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public Object wireValue() {
        return wireValue;
    }
}
