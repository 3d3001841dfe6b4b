package ai.dstack.api;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** What applying a plan will do to the resource it names. */
public enum ApplyAction {
    /** The resource is to be created, or replaced when it exists. */
    CREATE("create"),
    /** The resource is to be updated in place. */
    UPDATE("update"),
    /** A value this version does not know, sent by a newer server. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    ApplyAction(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ApplyAction fromWireValue(String value) {
        return WireValues.lookup(values(), ApplyAction::wireValue, value, UNKNOWN);
    }
}
