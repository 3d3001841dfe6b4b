package ai.dstack.backend.gcp.internal;

import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code gcp} backend's configuration, with dstack's defaults. Every field dstack defines that this backend
 * implements takes effect; anything else is refused naming the field.
 *
 * @param serviceAccountJson the service account key (from {@code creds.data} or {@code creds.filename}); null for
 *     application default credentials
 * @param osImages {@code cpu} and/or {@code nvidia} images, by kind
 */
public record GcpSettings(
        String project,
        String projectId,
        List<String> regions,
        String serviceAccountJson,
        String vpcName,
        List<String> extraVpcs,
        String vpcProjectId,
        boolean publicIps,
        boolean natCheck,
        String vmServiceAccount,
        Map<String, String> labels,
        Map<String, OsImage> osImages) {

    /** dstack's default regions (a subset the shipped catalogue covers; any GCE region can be configured). */
    public static final List<String> DEFAULT_REGIONS = List.of("us-central1", "us-east1", "us-east4", "us-west1",
            "us-west4", "europe-west1", "europe-west4", "asia-northeast1", "asia-southeast1");
    private static final Set<String> FIELDS = Set.of("type", "project_id", "regions", "vpc_name", "extra_vpcs",
            "vpc_project_id", "public_ips", "nat_check", "vm_service_account", "tags", "os_images");
    private static final java.util.regex.Pattern LABEL_KEY = java.util.regex.Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final java.util.regex.Pattern LABEL_VALUE = java.util.regex.Pattern.compile("[a-z0-9_-]{0,63}");
    private static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[a-z]+-[a-z]+\\d+");

    /** An {@code os_images} entry: an image (URL, {@code projects/p/global/images/name} or a family) and the SSH user. */
    public record OsImage(String name, String user) {}

    public static GcpSettings read(BackendConfiguration configuration) {
        ObjectNode c = configuration.config();
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw invalid(field, "is not a field of the gcp backend");
            }
        }
        String projectId = text(c, "project_id");
        if (projectId == null || projectId.isBlank()) {
            throw invalid("project_id", "is required");
        }
        List<String> regions = strings(c, "regions");
        for (String region : regions) {
            if (!REGION.matcher(region).matches()) {
                throw invalid("regions", "has '" + region + "', which is not a GCE region name (e.g. us-central1)");
            }
        }
        if (regions.isEmpty()) {
            regions = DEFAULT_REGIONS;
        }
        Map<String, String> labels = map(c, "tags");
        labels.forEach((k, v) -> {
            if (!LABEL_KEY.matcher(k).matches()) {
                throw invalid("tags." + k, "is not a valid GCE label key (lowercase letters, digits, _ and -, "
                        + "starting with a letter, at most 63)");
            }
            if (!LABEL_VALUE.matcher(v).matches()) {
                throw invalid("tags." + k, "has value '" + v + "', not a valid GCE label value (lowercase letters, "
                        + "digits, _ and -, at most 63)");
            }
        });
        if (labels.size() > 50) {
            throw invalid("tags", "has " + labels.size() + " labels; GCE allows 64 and dstack needs some of them");
        }
        boolean publicIps = bool(c, "public_ips", true);
        String vpcProjectId = text(c, "vpc_project_id");
        return new GcpSettings(configuration.project(), projectId, regions, serviceAccount(configuration.creds()),
                text(c, "vpc_name") == null ? "default" : text(c, "vpc_name"), strings(c, "extra_vpcs"),
                vpcProjectId, publicIps, bool(c, "nat_check", true), text(c, "vm_service_account"), labels,
                osImages(c));
    }

    /** The project that holds the VPC: {@code vpc_project_id} for a shared VPC, else {@code project_id}. */
    public String networkProject() {
        return vpcProjectId == null ? projectId : vpcProjectId;
    }

    private static String serviceAccount(ObjectNode creds) {
        String type = creds.path("type").asText("default");
        switch (type) {
            case "default" -> {
                if ("true".equalsIgnoreCase(System.getenv("DSTACK_DEFAULT_CREDS_DISABLED"))) {
                    throw new BackendException(BackendFailure.INVALID_CREDENTIALS,
                            "Invalid credentials: default credentials are disabled on this server");
                }
                return null;
            }
            case "service_account" -> {
                String data = text(creds, "data");
                String filename = text(creds, "filename");
                if (data == null && filename != null) {
                    try {
                        data = Files.readString(Path.of(filename), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw invalid("creds.filename", "cannot be read: " + e.getMessage());
                    }
                }
                if (data == null || data.isBlank()) {
                    throw invalid("creds", "of type service_account need data (the key JSON) or filename");
                }
                return data;
            }
            default -> throw invalid("creds.type", "'" + type + "' is not one of service_account, default");
        }
    }

    private static Map<String, OsImage> osImages(ObjectNode c) {
        JsonNode node = c.get("os_images");
        Map<String, OsImage> images = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return images;
        }
        if (!node.isObject()) {
            throw invalid("os_images", "must be a mapping with cpu and/or nvidia");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String kind = entry.getKey();
            if (!kind.equals("cpu") && !kind.equals("nvidia")) {
                throw invalid("os_images." + kind, "is not supported: only cpu and nvidia images can be set");
            }
            JsonNode image = entry.getValue();
            if (image == null || image.isNull()) {
                continue;
            }
            for (Iterator<String> f = image.fieldNames(); f.hasNext(); ) {
                String field = f.next();
                if (!Set.of("name", "user").contains(field)) {
                    throw invalid("os_images." + kind + "." + field, "is not a field of an image");
                }
            }
            String name = image.path("name").asText(null);
            String user = image.path("user").asText(null);
            if (name == null || user == null) {
                throw invalid("os_images." + kind, "needs name and user");
            }
            images.put(kind, new OsImage(name, user));
        }
        return images;
    }

    static BackendException invalid(String field, String problem) {
        return new BackendException(BackendFailure.INVALID_CONFIGURATION, "gcp backend: " + field + " " + problem);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static boolean bool(JsonNode node, String field, boolean dflt) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? dflt : value.asBoolean();
    }

    private static List<String> strings(JsonNode node, String field) {
        List<String> values = new ArrayList<>();
        JsonNode value = node.get(field);
        if (value != null && !value.isNull()) {
            if (!value.isArray()) {
                throw invalid(field, "must be a list");
            }
            value.forEach(v -> values.add(v.asText()));
        }
        return List.copyOf(values);
    }

    private static Map<String, String> map(JsonNode node, String field) {
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode value = node.get(field);
        if (value != null && !value.isNull()) {
            if (!value.isObject()) {
                throw invalid(field, "must be a mapping");
            }
            value.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        }
        return values;
    }
}
