package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** The HTTP method of a probe request. */
public enum ProbeMethod {
    GET("get"),
    POST("post"),
    PUT("put"),
    DELETE("delete"),
    PATCH("patch"),
    HEAD("head");

    private final String wireValue;

    ProbeMethod(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(ProbeMethod::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static ProbeMethod fromWireValue(String value) {
        for (ProbeMethod v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
