package ai.dstack.spi.logs;

import java.util.Arrays;

/** dstack's {@code LogEventSource}: the stream a line came from. */
public enum LogSource {
    STDOUT("stdout"),
    STDERR("stderr");

    private final String wireValue;

    LogSource(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The value in dstack's JSON ({@code log_source}). */
    public String wireValue() {
        return wireValue;
    }

    /**
     * The source named {@code wireValue}.
     *
     * @throws IllegalArgumentException if dstack has no such source
     */
    public static LogSource fromWireValue(String wireValue) {
        for (LogSource source : values()) {
            if (source.wireValue.equals(wireValue)) {
                return source;
            }
        }
        throw new IllegalArgumentException(
                "Unknown log source '" + wireValue + "', expected one of " + Arrays.toString(wireValues()));
    }

    private static String[] wireValues() {
        return Arrays.stream(values()).map(LogSource::wireValue).toArray(String[]::new);
    }
}
