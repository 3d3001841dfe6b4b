package ai.dstack.api.offer;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What {@code gpus/list} groups GPUs by besides their type ({@code dstack offer --group-by}). */
public enum GpuGrouping {
    BACKEND("backend"),
    /** Needs {@link #BACKEND} too. */
    REGION("region"),
    COUNT("count");

    private final String wireValue;

    GpuGrouping(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}, or null for a value that is none of them. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static GpuGrouping fromWireValue(String value) {
        for (GpuGrouping grouping : values()) {
            if (grouping.wireValue.equals(value)) {
                return grouping;
            }
        }
        return null;
    }
}
