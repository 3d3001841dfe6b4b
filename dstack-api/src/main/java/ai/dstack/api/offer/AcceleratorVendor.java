package ai.dstack.api.offer;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The maker of an offered GPU or accelerator (gpuhunt's {@code AcceleratorVendor}). */
public enum AcceleratorVendor {
    NVIDIA("nvidia"),
    AMD("amd"),
    GOOGLE("google"),
    INTEL("intel"),
    TENSTORRENT("tenstorrent"),
    /** A value this version does not know, sent by a newer server. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    AcceleratorVendor(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    public static AcceleratorVendor fromWireValue(String value) {
        return WireValues.lookup(values(), AcceleratorVendor::wireValue, value, UNKNOWN);
    }

    /** Like {@link #fromWireValue} but case-insensitive, as dstack casts vendors. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static AcceleratorVendor cast(String value) {
        return fromWireValue(value == null ? null : value.toLowerCase(Locale.ROOT));
    }
}
