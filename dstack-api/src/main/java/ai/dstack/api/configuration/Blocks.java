package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How many blocks an instance is split into (its GPUs and CPUs shared out evenly): a number, or {@link #AUTO}
 * for as many as possible. {@code count} is null for {@code auto}.
 */
public record Blocks(Integer count) {
    public static final Blocks AUTO = new Blocks(null);
    public static final Blocks ONE = new Blocks(1);

    public Blocks {
        if (count != null && count < 1) {
            throw new IllegalArgumentException("blocks must be at least 1, got " + count);
        }
    }

    public static Blocks of(int count) {
        return count == 1 ? ONE : new Blocks(count);
    }

    public boolean isAuto() {
        return count == null;
    }

    /** dstack's wire form: the number, or {@code "auto"}. */
    @JsonValue
    Object wireValue() {
        return count == null ? "auto" : count;
    }
}
