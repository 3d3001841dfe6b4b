package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** A Python version dstack's default image provides. */
public enum PythonVersion {
    PY39("3.9"),
    PY310("3.10"),
    PY311("3.11"),
    PY312("3.12"),
    PY313("3.13"),
    PY314("3.14");

    private final String wireValue;

    PythonVersion(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(PythonVersion::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static PythonVersion fromWireValue(String value) {
        for (PythonVersion v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
