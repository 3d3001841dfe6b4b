package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** The IDE a dev environment pre-installs. */
public enum Ide {
    VSCODE("vscode"),
    CURSOR("cursor"),
    WINDSURF("windsurf"),
    ZED("zed");

    private final String wireValue;

    Ide(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(Ide::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static Ide fromWireValue(String value) {
        for (Ide v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
