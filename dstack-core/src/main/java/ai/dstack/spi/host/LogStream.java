package ai.dstack.spi.host;

/** The output stream a log line came from. */
public enum LogStream {
    STDOUT("stdout"),
    STDERR("stderr");

    private final String wireValue;

    LogStream(String wireValue) {
        this.wireValue = wireValue;
    }

    /** dstack's {@code log_source} value. */
    public String wireValue() {
        return wireValue;
    }
}
