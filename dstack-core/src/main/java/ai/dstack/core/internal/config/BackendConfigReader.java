package ai.dstack.core.internal.config;

import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.YamlValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads one backend configuration (a {@code backends} entry of config.yml, or an API body) into a
 * {@link BackendConfig}, recording every problem in the context with its field path.
 */
public final class BackendConfigReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BackendConfigReader() {}

    /** The types that can be configured here, in dstack's order. */
    public static java.util.List<String> types() {
        return BackendSchemas.types();
    }

    /**
     * @param fromFile whether the value comes from config.yml, where {@code creds.filename} may stand in for
     *     {@code creds.data} (the file is read now, relative to {@code baseDirectory})
     * @return null when anything was wrong (see {@code ctx.errors()})
     */
    public static BackendConfig read(ReadContext ctx, YamlValue value, String loc, boolean fromFile, Path baseDirectory) {
        MappingReader obj = MappingReader.of(ctx, value, loc);
        if (obj == null) {
            return null;
        }
        int mark = ctx.mark();
        String type = obj.req("type", Coerce::string);
        if (type == null) {
            return null;
        }
        BackendSchemas.Schema schema = BackendSchemas.get(type);
        if (schema == null) {
            String why = BackendSchemas.NOT_MODELLED.contains(type)
                    ? "backend type '" + type + "' is not supported by this server yet"
                    : "Input tag '" + type + "' found using 'type' does not match any of the expected tags: "
                            + String.join(", ", BackendSchemas.types());
            ctx.error(obj.loc("type"), obj.raw("type"), why);
            return null;
        }
        ObjectNode config = JSON.createObjectNode().put("type", type);
        for (Map.Entry<String, BackendSchemas.Field> field : schema.fields().entrySet()) {
            Object parsed = field.getValue().required() ? obj.req(field.getKey(), field.getValue().parser())
                    : obj.opt(field.getKey(), field.getValue().parser());
            if (parsed != null) {
                config.set(field.getKey(), JSON.valueToTree(parsed));
            }
        }
        ObjectNode creds = readCreds(ctx, obj, schema, fromFile, baseDirectory);
        obj.finish();
        return ctx.cleanSince(mark) && creds != null ? new BackendConfig(type, config, creds) : null;
    }

    private static ObjectNode readCreds(ReadContext ctx, MappingReader parent, BackendSchemas.Schema schema, boolean fromFile,
            Path baseDirectory) {
        YamlValue raw = parent.raw("creds");
        String loc = parent.loc("creds");
        if (raw == null) {
            ctx.error(loc, parent.value(), "Field required");
            return null;
        }
        MappingReader obj = MappingReader.of(ctx, raw, loc);
        if (obj == null) {
            return null;
        }
        String credsType = obj.has("type") ? obj.req("type", Coerce::string) : schema.defaultCredsType();
        if (credsType == null) {
            if (!obj.has("type")) {
                ctx.error(obj.loc("type"), raw, "Unable to extract tag using discriminator 'type'");
            }
            return null;
        }
        obj.accept("type");
        BackendSchemas.Creds kind = schema.creds().get(credsType);
        if (kind == null) {
            ctx.error(obj.loc("type"), obj.raw("type"), "Input tag '" + credsType
                    + "' found using 'type' does not match any of the expected tags: "
                    + String.join(", ", schema.creds().keySet()));
            return null;
        }
        ObjectNode creds = JSON.createObjectNode().put("type", credsType);
        boolean fileStandsIn = fromFile && obj.has("filename") && !obj.has("data");
        for (Map.Entry<String, BackendSchemas.Field> field : kind.fields().entrySet()) {
            String name = field.getKey();
            if (fileStandsIn && name.equals("data")) {
                continue;
            }
            Object parsed = field.getValue().required() ? obj.req(name, field.getValue().parser())
                    : obj.opt(name, field.getValue().parser());
            if (parsed != null) {
                creds.set(name, JSON.valueToTree(parsed));
            }
        }
        if (fileStandsIn && creds.has("filename")) {
            String data = readCredsFile(ctx, obj, creds.get("filename").asText(), baseDirectory);
            if (data != null) {
                creds.put("data", data);
            }
        }
        obj.finish();
        return creds;
    }

    private static String readCredsFile(ReadContext ctx, MappingReader creds, String filename, Path baseDirectory) {
        String expanded = filename.startsWith("~/") ? System.getProperty("user.home") + filename.substring(1) : filename;
        Path path = baseDirectory == null ? Path.of(expanded) : baseDirectory.resolve(expanded);
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            ctx.error(creds.loc("filename"), creds.value().entries().get("filename"), "No such file " + filename);
        } catch (IOException e) {
            ctx.error(creds.loc("filename"), creds.value().entries().get("filename"),
                    "Cannot read " + filename + ": " + e.getMessage());
        }
        return null;
    }
}
