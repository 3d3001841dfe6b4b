package ai.dstack.api.user;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** A user's server-wide role. */
public enum GlobalRole {
    ADMIN("admin"),
    USER("user"),
    /** A value this version does not know, sent by a newer server. Grants nothing. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    GlobalRole(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static GlobalRole fromWireValue(String value) {
        return WireValues.lookup(values(), GlobalRole::wireValue, value, UNKNOWN);
    }
}
