package ai.dstack.api.user;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** A member's role in a project. */
public enum ProjectRole {
    ADMIN("admin"),
    MANAGER("manager"),
    USER("user"),
    /** A value this version does not know, sent by a newer server. Grants nothing. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    ProjectRole(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ProjectRole fromWireValue(String value) {
        return WireValues.lookup(values(), ProjectRole::wireValue, value, UNKNOWN);
    }
}
