package ai.dstack.api.resources;

/**
 * dstack's {@code Range}: {@code min..max} where either end may be open ({@code null}), never both.
 * Written on the wire as {@code {"min": ..., "max": ...}}.
 */
public record Range<T extends Number & Comparable<T>>(T min, T max) {
    public Range {
        if (min == null && max == null) {
            throw new IllegalArgumentException("Invalid empty range: ..");
        }
        if (min != null && max != null && min.compareTo(max) > 0) {
            throw new IllegalArgumentException("Invalid range order: " + min + ".." + max);
        }
    }

    public static <T extends Number & Comparable<T>> Range<T> exactly(T value) {
        return new Range<>(value, value);
    }

    public static <T extends Number & Comparable<T>> Range<T> atLeast(T min) {
        return new Range<>(min, null);
    }

    public boolean contains(T value) {
        return (min == null || min.compareTo(value) <= 0) && (max == null || max.compareTo(value) >= 0);
    }

    @Override
    public String toString() {
        String lo = min == null ? "" : min.toString();
        String hi = max == null ? "" : max.toString();
        return lo.equals(hi) ? lo : lo + ".." + hi;
    }
}
