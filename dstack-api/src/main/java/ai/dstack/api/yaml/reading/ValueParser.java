package ai.dstack.api.yaml.reading;

/**
 * Reads one value at a field path. Returns {@code null} after recording an error in the context; a parser
 * never throws for bad input.
 */
@FunctionalInterface
public interface ValueParser<T> {
    T parse(ReadContext ctx, YamlValue value, String loc);
}
