package ai.dstack.api.yaml.reading;

import ai.dstack.api.ValidationError;
import java.util.ArrayList;
import java.util.List;

/** Collects the problems found while reading one document, each with its field path, line and column. */
public final class ReadContext {
    private final String source;
    private final List<ValidationError> errors = new ArrayList<>();

    public ReadContext(String source) {
        this.source = source;
    }

    public void error(String loc, YamlValue at, String message) {
        errors.add(new ValidationError(loc, message, source, at == null ? 0 : at.line(), at == null ? 0 : at.column()));
    }

    /** A pydantic-style {@code Value error, ...} raised by a validator. */
    public void valueError(String loc, YamlValue at, String message) {
        error(loc, at, "Value error, " + message);
    }

    public List<ValidationError> errors() {
        return List.copyOf(errors);
    }

    /** A checkpoint; {@link #cleanSince} then tells whether anything failed after it. */
    public int mark() {
        return errors.size();
    }

    public boolean cleanSince(int mark) {
        return errors.size() == mark;
    }

    /** Drops the errors recorded after {@code mark}: used to try one alternative of a union and then another. */
    public List<ValidationError> rollback(int mark) {
        List<ValidationError> dropped = new ArrayList<>(errors.subList(mark, errors.size()));
        errors.subList(mark, errors.size()).clear();
        return dropped;
    }

    public void addAll(List<ValidationError> more) {
        errors.addAll(more);
    }

    public static String child(String loc, String key) {
        return loc.isEmpty() ? key : loc + "." + key;
    }

    public static String child(String loc, int index) {
        return child(loc, Integer.toString(index));
    }
}
