package ai.dstack.api.resources;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A GPU or accelerator vendor as dstack names it. */
public enum GpuVendor {
    NVIDIA("nvidia"),
    AMD("amd"),
    GOOGLE("google"),
    INTEL("intel"),
    TENSTORRENT("tenstorrent"),
    /** A value this version does not know, sent by a newer server; never parsed from a configuration. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    GpuVendor(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The vendor a token names ({@code tpu} means Google, {@code tt} Tenstorrent), or null. */
    public static GpuVendor fromAlias(String token) {
        String lower = token.toLowerCase(Locale.ROOT);
        if (lower.equals("tpu")) {
            return GOOGLE;
        }
        if (lower.equals("tt")) {
            return TENSTORRENT;
        }
        for (GpuVendor vendor : values()) {
            if (vendor != UNKNOWN && vendor.wireValue.equals(lower)) {
                return vendor;
            }
        }
        return null;
    }

    /** Reads a vendor from a reply: case-insensitive, {@link #UNKNOWN} for one this version does not know. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static GpuVendor cast(String value) {
        if (value == null) {
            return null;
        }
        GpuVendor vendor = fromAlias(value);
        return vendor == null ? UNKNOWN : vendor;
    }
}
