package ai.dstack.core.internal.config;

import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.ValueParser;
import ai.dstack.api.yaml.reading.YamlPlain;
import ai.dstack.api.yaml.reading.YamlValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backend types this server accepts and their fields, after dstack's {@code core/backends/*}/models.py. Only
 * the structure is checked here; the credentials of a type this server has a backend for are then tried against the
 * cloud (see {@code internal.cloud.CloudBackends#check}).
 */
final class BackendSchemas {
    private BackendSchemas() {}

    /** One field: its parser and whether it is required. */
    record Field(ValueParser<?> parser, boolean required) {}

    /** One kind of credentials, by its {@code type}. */
    record Creds(Map<String, Field> fields) {}

    /**
     * @param defaultCredsType the creds {@code type} when absent (models with a single creds kind), or null when
     *     {@code type} picks one of several and is therefore required
     */
    record Schema(String type, Map<String, Field> fields, Map<String, Creds> creds, String defaultCredsType) {}

    static final ValueParser<String> STRING = Coerce::string;
    static final ValueParser<Boolean> BOOL = Coerce::bool;
    static final ValueParser<List<String>> STRINGS = Coerce.listOf(Coerce::string);
    static final ValueParser<Map<String, String>> STRING_MAP = Coerce.mapOf(Coerce::string);
    static final ValueParser<Object> MAPPING = (ctx, value, loc) -> {
        if (value instanceof YamlValue.Mapping) {
            return YamlPlain.toPlain(value);
        }
        ctx.error(loc, value, "Input should be a valid dictionary");
        return null;
    };

    private static final Map<String, Schema> SCHEMAS = new LinkedHashMap<>();

    static {
        Map<String, Creds> awsCreds = new LinkedHashMap<>();
        awsCreds.put("access_key", new Creds(fields("access_key", true, STRING, "secret_key", true, STRING)));
        awsCreds.put("default", new Creds(Map.of()));
        add(new Schema("aws", fields("regions", false, STRINGS, "vpc_name", false, STRING, "vpc_ids", false, STRING_MAP,
                "default_vpcs", false, BOOL, "public_ips", false, BOOL, "iam_instance_profile", false, STRING,
                "tags", false, STRING_MAP, "os_images", false, MAPPING, "experimental_instance_types", false, STRINGS),
                awsCreds, null));

        Map<String, Creds> gcpCreds = new LinkedHashMap<>();
        gcpCreds.put("service_account", new Creds(fields("filename", false, STRING, "data", true, STRING)));
        gcpCreds.put("default", new Creds(Map.of()));
        add(new Schema("gcp", fields("project_id", true, STRING, "regions", false, STRINGS, "vpc_name", false, STRING,
                "extra_vpcs", false, STRINGS, "roce_vpcs", false, STRINGS, "vpc_project_id", false, STRING,
                "public_ips", false, BOOL, "nat_check", false, BOOL, "vm_service_account", false, STRING,
                "tags", false, STRING_MAP, "preview_features", false, STRINGS), gcpCreds, null));

        Map<String, Creds> azureCreds = new LinkedHashMap<>();
        azureCreds.put("client", new Creds(fields("client_id", true, STRING, "client_secret", true, STRING,
                "tenant_id", false, STRING)));
        azureCreds.put("default", new Creds(Map.of()));
        add(new Schema("azure", fields("tenant_id", true, STRING, "subscription_id", true, STRING,
                "resource_group", false, STRING, "regions", false, STRINGS, "vpc_ids", false, STRING_MAP,
                "subnet_ids", false, STRING_MAP, "public_ips", false, BOOL, "vm_managed_identity", false, STRING,
                "tags", false, STRING_MAP, "os_images", false, MAPPING), azureCreds, null));

        Map<String, Creds> apiKey = Map.of("api_key", new Creds(fields("api_key", true, STRING)));
        for (String type : List.of("lambda", "vultr", "cloudrift", "jarvislabs", "digitalocean")) {
            add(new Schema(type, fields("regions", false, STRINGS), apiKey, "api_key"));
        }
        add(new Schema("amddevcloud", fields("regions", false, STRINGS, "project_name", false, STRING), apiKey, "api_key"));
        for (String type : List.of("vastai", "runpod")) {
            add(new Schema(type, fields("regions", false, STRINGS, "community_cloud", false, BOOL), apiKey, "api_key"));
        }
        Map<String, Creds> client = Map.of("api_key",
                new Creds(fields("client_id", true, STRING, "client_secret", true, STRING)));
        for (String type : List.of("verda", "datacrunch")) {
            add(new Schema(type, fields("regions", false, STRINGS), client, "api_key"));
        }
    }

    /** dstack's creatable types that this server does not model yet: accepted nowhere, reported by name. */
    static final Set<String> NOT_MODELLED = Set.of("crusoe", "hotaisle", "kubernetes", "nebius", "oci", "slurm");

    static Schema get(String type) {
        return SCHEMAS.get(type);
    }

    static List<String> types() {
        return List.copyOf(SCHEMAS.keySet());
    }

    private static void add(Schema schema) {
        SCHEMAS.put(schema.type(), schema);
    }

    /** name, required, parser triples, in order. */
    private static Map<String, Field> fields(Object... triples) {
        Map<String, Field> fields = new LinkedHashMap<>();
        for (int i = 0; i < triples.length; i += 3) {
            fields.put((String) triples[i], new Field((ValueParser<?>) triples[i + 2], (Boolean) triples[i + 1]));
        }
        return fields;
    }
}
