package ai.dstack.api.json.internal;

import java.util.function.Function;

/** Looks up enum constants by the string dstack puts on the wire. */
public final class WireValues {
    private WireValues() {}

    /**
     * The constant whose wire value is {@code value}; {@code fallback} when there is none; null for null.
     */
    public static <E extends Enum<E>> E lookup(E[] constants, Function<E, String> wireValue, String value, E fallback) {
        if (value == null) {
            return null;
        }
        for (E constant : constants) {
            if (wireValue.apply(constant).equals(value)) {
                return constant;
            }
        }
        return fallback;
    }
}
