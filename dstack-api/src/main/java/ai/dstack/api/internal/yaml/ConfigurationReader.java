package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.PythonText;

import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.ConfigurationType;
import java.util.ArrayList;
import java.util.List;

/** Picks the configuration kind by {@code type} and reads it; errors are located under the type's name. */
public final class ConfigurationReader {
    private ConfigurationReader() {}

    public static Configuration read(ReadContext ctx, YamlValue root) {
        if (!(root instanceof YamlValue.Mapping map)) {
            ctx.error("", root, root.isNullScalar()
                    ? "The configuration is empty: expected a mapping with a `type` field"
                    : "Input should be a valid dictionary or object to extract fields from");
            return null;
        }
        YamlValue typeValue = map.entries().get("type");
        if (typeValue == null) {
            ctx.error("type", root, "Unable to extract tag using discriminator 'type': the configuration has no `type` field");
            return null;
        }
        Object raw = Coerce.scalar(typeValue);
        ConfigurationType type = raw instanceof String s ? ConfigurationType.fromWireValue(s) : null;
        if (type == null) {
            List<String> tags = new ArrayList<>();
            for (ConfigurationType t : ConfigurationType.values()) {
                tags.add(t.wireValue());
            }
            ctx.error("type", typeValue, "Input tag " + PythonText.repr(typeValue)
                    + " found using 'type' does not match any of the expected tags: " + Coerce.expected(tags).replace(" or ", ", "));
            return null;
        }
        MappingReader o = MappingReader.of(ctx, root, type.wireValue());
        return switch (type) {
            case TASK -> RunConfigurationReader.task(o);
            case SERVICE -> ServiceReader.service(o);
            case DEV_ENVIRONMENT -> DevEnvironmentReader.devEnvironment(o);
            case FLEET -> FleetReader.fleet(o);
            case VOLUME -> VolumeReader.volume(o);
            case GATEWAY -> GatewayReader.gateway(o);
        };
    }
}
