/**
 * Reading dstack-style YAML documents the way dstack's pydantic models read them, with every problem reported at its
 * field path, line and column.
 *
 * <p>{@link ai.dstack.api.yaml.reading.YamlLoader} parses text into {@link ai.dstack.api.yaml.reading.YamlValue}s that
 * remember their position; a {@link ai.dstack.api.yaml.reading.MappingReader} takes a mapping's fields one by one
 * (reporting any field nobody took, with the closest known name) using {@link ai.dstack.api.yaml.reading.Coerce}'s
 * pydantic-like coercions; a {@link ai.dstack.api.yaml.reading.ReadContext} collects the
 * {@link ai.dstack.api.ValidationError}s. {@code .dstack.yml} configurations are read with it
 * ({@link ai.dstack.api.yaml.DstackYaml}), and so are the server's {@code config.yml} and backend configurations, so
 * that all of them fail the same way.
 */
package ai.dstack.api.yaml.reading;
