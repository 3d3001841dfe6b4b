package ai.dstack.api.resources;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A CPU architecture as dstack names it. */
public enum CpuArch {
    X86("x86"),
    ARM("arm"),
    /** A value this version does not know, sent by a newer server; never parsed from a configuration. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    CpuArch(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The architecture a token names, accepting the usual aliases ({@code amd64}, {@code aarch64}, ...), or null. */
    public static CpuArch fromAlias(String token) {
        return switch (token.toLowerCase(Locale.ROOT)) {
            case "x86", "x86_64", "x86-64", "amd64", "x64" -> X86;
            case "arm", "arm64", "aarch64" -> ARM;
            default -> null;
        };
    }

    /** Reads an architecture from a reply: case-insensitive, {@link #UNKNOWN} for one this version does not know. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static CpuArch cast(String value) {
        if (value == null) {
            return null;
        }
        CpuArch arch = fromAlias(value);
        return arch == null ? UNKNOWN : arch;
    }
}
