package ai.dstack.api.offer;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The CPU architecture of an offered instance. */
public enum CpuArchitecture {
    X86("x86"),
    ARM("arm"),
    /** A value this version does not know, sent by a newer server. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    CpuArchitecture(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    public static CpuArchitecture fromWireValue(String value) {
        return WireValues.lookup(values(), CpuArchitecture::wireValue, value, UNKNOWN);
    }

    /** Like {@link #fromWireValue} but case-insensitive, as dstack casts architectures. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static CpuArchitecture cast(String value) {
        return fromWireValue(value == null ? null : value.toLowerCase(Locale.ROOT));
    }
}
