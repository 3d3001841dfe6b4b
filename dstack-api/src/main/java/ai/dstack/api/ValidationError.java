package ai.dstack.api;

import java.util.Objects;

/**
 * One problem found in a configuration or a request.
 *
 * @param loc the field path in dstack's form, e.g. {@code task.resources.gpu} or {@code task.ports.0}
 * @param message what is wrong, in dstack's words where dstack has words for it
 * @param source the file the value came from, or {@code null} when it did not come from a file
 * @param line 1-based line of the offending value, or 0 when unknown
 * @param column 1-based column of the offending value, or 0 when unknown
 */
public record ValidationError(String loc, String message, String source, int line, int column) {
    public ValidationError {
        Objects.requireNonNull(loc, "loc is null");
        Objects.requireNonNull(message, "message is null");
    }

    public static ValidationError of(String loc, String message) {
        return new ValidationError(loc, message, null, 0, 0);
    }

    /** {@code file:line:column: loc: message}, leaving out what is unknown. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        if (source != null) {
            out.append(source).append(':');
        }
        if (line > 0) {
            out.append(line).append(':').append(column).append(':');
        }
        if (out.length() > 0) {
            out.append(' ');
        }
        return (loc.isEmpty() ? out : out.append(loc).append(": ")).append(message).toString();
    }
}
