package ai.dstack.backend.aws.internal;

import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@code aws} backend's configuration, with dstack's defaults. Every field dstack defines takes effect; anything
 * else is refused naming the field.
 *
 * @param accessKey null for the SDK's default credentials chain
 * @param vpcIds region to VPC id
 * @param osImages {@code cpu} and/or {@code nvidia} images, by kind
 */
public record AwsSettings(
        String project,
        List<String> regions,
        String accessKey,
        String secretKey,
        String vpcName,
        Map<String, String> vpcIds,
        boolean defaultVpcs,
        boolean publicIps,
        String iamInstanceProfile,
        Map<String, String> tags,
        Map<String, OsImage> osImages,
        List<String> experimentalInstanceTypes) {

    /** dstack's default regions. */
    public static final List<String> DEFAULT_REGIONS = List.of("us-east-1", "us-east-2", "us-west-1", "us-west-2",
            "ap-southeast-1", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1");
    private static final Set<String> FIELDS = Set.of("type", "regions", "vpc_name", "vpc_ids", "default_vpcs",
            "public_ips", "iam_instance_profile", "tags", "os_images", "experimental_instance_types");
    private static final int MAX_TAGS = 25;

    /** An {@code os_images} entry: an AMI name (newest match wins), its owner and the SSH user. */
    public record OsImage(String name, String owner, String user) {}

    public static AwsSettings read(BackendConfiguration configuration) {
        ObjectNode c = configuration.config();
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw invalid(field, "is not a field of the aws backend");
            }
        }
        List<String> regions = strings(c, "regions");
        if (regions.isEmpty()) {
            regions = DEFAULT_REGIONS;
        }
        String vpcName = text(c, "vpc_name");
        Map<String, String> vpcIds = map(c, "vpc_ids");
        boolean defaultVpcs = bool(c, "default_vpcs", true);
        if (vpcName != null && !vpcIds.isEmpty()) {
            throw invalid("vpc_name", "and vpc_ids cannot both be set");
        }
        if (!defaultVpcs && vpcName == null && vpcIds.isEmpty()) {
            throw invalid("default_vpcs", "is false, so vpc_name or vpc_ids must be set");
        }
        if (!defaultVpcs && !vpcIds.isEmpty()) {
            for (String region : regions) {
                if (!vpcIds.containsKey(region)) {
                    throw invalid("vpc_ids", "has no VPC for region " + region + " and default_vpcs is false");
                }
            }
        }
        Map<String, String> tags = map(c, "tags");
        if (tags.size() > MAX_TAGS) {
            throw invalid("tags", "has " + tags.size() + " tags; at most " + MAX_TAGS + " are allowed");
        }
        ObjectNode creds = configuration.creds();
        String credsType = creds.path("type").asText("default");
        String accessKey = null;
        String secretKey = null;
        switch (credsType) {
            case "access_key" -> {
                accessKey = text(creds, "access_key");
                secretKey = text(creds, "secret_key");
                if (accessKey == null || secretKey == null) {
                    throw invalid("creds", "of type access_key need access_key and secret_key");
                }
            }
            case "default" -> {
                if ("true".equalsIgnoreCase(System.getenv("DSTACK_DEFAULT_CREDS_DISABLED"))) {
                    throw new BackendException(BackendFailure.INVALID_CREDENTIALS,
                            "Invalid credentials: default credentials are disabled on this server");
                }
            }
            default -> throw invalid("creds.type", "'" + credsType + "' is not one of access_key, default");
        }
        return new AwsSettings(configuration.project(), regions, accessKey, secretKey, vpcName, vpcIds, defaultVpcs,
                bool(c, "public_ips", true), text(c, "iam_instance_profile"), tags, osImages(c),
                strings(c, "experimental_instance_types"));
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
                if (!Set.of("name", "owner", "user").contains(field)) {
                    throw invalid("os_images." + kind + "." + field, "is not a field of an image");
                }
            }
            String name = image.path("name").asText(null);
            String user = image.path("user").asText(null);
            if (name == null || user == null) {
                throw invalid("os_images." + kind, "needs name and user");
            }
            String owner = image.path("owner").asText("self");
            if (!owner.equals("self") && !owner.matches("\\d{12}")) {
                throw invalid("os_images." + kind + ".owner", "must be 'self' or a 12-digit account id");
            }
            images.put(kind, new OsImage(name, owner, user));
        }
        return images;
    }

    private static BackendException invalid(String field, String problem) {
        return new BackendException(BackendFailure.INVALID_CONFIGURATION, "aws backend: " + field + " " + problem);
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
        if (value != null && value.isArray()) {
            value.forEach(v -> values.add(v.asText()));
        }
        return List.copyOf(values);
    }

    private static Map<String, String> map(JsonNode node, String field) {
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode value = node.get(field);
        if (value != null && value.isObject()) {
            value.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        }
        return values;
    }
}
