package ai.dstack.api.resources;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A GPU or accelerator vendor as dstack names it. */
public enum GpuVendor {
    NVIDIA("nvidia"),
    AMD("amd"),
    GOOGLE("google"),
    INTEL("intel"),
    TENSTORRENT("tenstorrent");

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
            if (vendor.wireValue.equals(lower)) {
                return vendor;
            }
        }
        return null;
    }
}
