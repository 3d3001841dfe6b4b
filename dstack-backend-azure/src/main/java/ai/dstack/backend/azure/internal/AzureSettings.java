package ai.dstack.backend.azure.internal;

import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@code azure} backend's configuration, with dstack's defaults. Every field dstack defines that this backend
 * implements takes effect; anything else is refused naming the field.
 *
 * @param resourceGroup {@code resource_group}; null for dstack's {@code dstack-<project>}, made on first use
 * @param vpcIds {@code vpc_ids}: location to {@code networkResourceGroup/vnetName}
 * @param subnetIds {@code subnet_ids}: location to {@code networkResourceGroup/vnetName/subnetName}
 * @param clientId {@code creds.client_id} for {@code type: client}; null for default credentials
 * @param credsTenantId {@code creds.tenant_id}, else {@code tenant_id}
 * @param osImages {@code cpu} and/or {@code nvidia} images, by kind
 */
public record AzureSettings(
        String project,
        String tenantId,
        String subscriptionId,
        String resourceGroup,
        List<String> regions,
        Map<String, String> vpcIds,
        Map<String, String> subnetIds,
        boolean publicIps,
        Map<String, String> tags,
        Map<String, OsImage> osImages,
        String clientId,
        String clientSecret,
        String credsTenantId) {

    /** dstack's Azure locations: the default {@code regions}, and the only ones accepted. */
    public static final List<String> LOCATIONS = List.of("centralus", "eastus", "eastus2", "southcentralus",
            "westus2", "westus3", "canadacentral", "francecentral", "germanywestcentral", "northeurope",
            "swedencentral", "uksouth", "westeurope", "southeastasia", "eastasia", "brazilsouth");
    private static final Set<String> FIELDS = Set.of("type", "tenant_id", "subscription_id", "resource_group",
            "regions", "vpc_ids", "subnet_ids", "public_ips", "tags", "os_images");
    private static final Pattern RESOURCE_GROUP = Pattern.compile("[-\\w._()]{1,89}[-\\w_()]");
    private static final Pattern TAG_KEY_FORBIDDEN = Pattern.compile("[<>%&\\\\?/]");

    /** An {@code os_images} entry: an image (marketplace URN {@code publisher:offer:sku:version} or a resource id) and the SSH user. */
    public record OsImage(String name, String user) {}

    public static AzureSettings read(BackendConfiguration configuration) {
        ObjectNode c = configuration.config();
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (field.equals("vm_managed_identity")) {
                throw invalid(field, "is not supported by this server yet (VMs get no managed identity); remove it");
            }
            if (!FIELDS.contains(field)) {
                throw invalid(field, "is not a field of the azure backend");
            }
        }
        String tenantId = required(c, "tenant_id");
        String subscriptionId = required(c, "subscription_id");
        String resourceGroup = text(c, "resource_group");
        if (resourceGroup != null && !RESOURCE_GROUP.matcher(resourceGroup).matches()) {
            throw invalid("resource_group", "'" + resourceGroup + "' is not a valid resource group name");
        }
        List<String> regions = strings(c, "regions");
        for (String region : regions) {
            if (!LOCATIONS.contains(region)) {
                throw invalid("regions", "has '" + region + "', which is not one of the Azure locations dstack "
                        + "supports: " + String.join(", ", LOCATIONS));
            }
        }
        if (regions.isEmpty()) {
            regions = LOCATIONS;
        }
        Map<String, String> vpcIds = map(c, "vpc_ids");
        Map<String, String> subnetIds = map(c, "subnet_ids");
        vpcIds.forEach((loc, id) -> {
            location("vpc_ids." + loc, loc);
            if (id.split("/").length != 2) {
                throw invalid("vpc_ids." + loc, "must be networkResourceGroup/networkName, not '" + id + "'");
            }
            if (subnetIds.containsKey(loc)) {
                throw invalid("vpc_ids." + loc, "and subnet_ids." + loc + " are both set: give one of them");
            }
        });
        subnetIds.forEach((loc, id) -> {
            location("subnet_ids." + loc, loc);
            if (id.split("/").length != 3) {
                throw invalid("subnet_ids." + loc, "must be networkResourceGroup/networkName/subnetName, not '"
                        + id + "'");
            }
        });
        boolean publicIps = bool(c, "public_ips", true);
        if (!publicIps) {
            for (String region : regions) {
                if (!vpcIds.containsKey(region) && !subnetIds.containsKey(region)) {
                    throw invalid("public_ips", "is false, so every region needs its network in vpc_ids or "
                            + "subnet_ids; " + region + " has none");
                }
            }
        }
        Map<String, String> tags = map(c, "tags");
        tags.forEach((k, v) -> {
            if (k.isEmpty() || k.length() > 512 || TAG_KEY_FORBIDDEN.matcher(k).find()) {
                throw invalid("tags." + k, "is not a valid Azure tag name (1 to 512 characters, none of < > % & \\ ? /)");
            }
            if (v.length() > 256) {
                throw invalid("tags." + k, "has a value longer than Azure's 256 characters");
            }
        });
        if (tags.size() > 25) {
            throw invalid("tags", "has " + tags.size() + " tags; dstack allows 25");
        }
        ObjectNode creds = configuration.creds();
        String type = creds.path("type").asText("default");
        String clientId = null;
        String clientSecret = null;
        String credsTenant = tenantId;
        switch (type) {
            case "default" -> {
                if ("true".equalsIgnoreCase(System.getenv("DSTACK_DEFAULT_CREDS_DISABLED"))) {
                    throw new BackendException(BackendFailure.INVALID_CREDENTIALS,
                            "Invalid credentials: default credentials are disabled on this server");
                }
            }
            case "client" -> {
                clientId = required(creds, "client_id", "creds.client_id");
                clientSecret = required(creds, "client_secret", "creds.client_secret");
                if (text(creds, "tenant_id") != null) {
                    credsTenant = text(creds, "tenant_id");
                }
            }
            default -> throw invalid("creds.type", "'" + type + "' is not one of client, default");
        }
        return new AzureSettings(configuration.project(), tenantId, subscriptionId, resourceGroup, regions, vpcIds,
                subnetIds, publicIps, tags, osImages(c), clientId, clientSecret, credsTenant);
    }

    /** The resource group everything goes in: {@code resource_group}, or dstack's {@code dstack-<project>}. */
    public String group() {
        return resourceGroup != null ? resourceGroup : AzureNames.projectName(project, null);
    }

    private static void location(String field, String loc) {
        if (!LOCATIONS.contains(loc)) {
            throw invalid(field, "names '" + loc + "', which is not an Azure location dstack supports");
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
            if (!name.startsWith("/") && name.split(":").length != 4) {
                throw invalid("os_images." + kind + ".name", "'" + name + "' is neither an image URN "
                        + "(publisher:offer:sku:version) nor an image resource id (/subscriptions/...)");
            }
            images.put(kind, new OsImage(name, user));
        }
        return images;
    }

    static BackendException invalid(String field, String problem) {
        return new BackendException(BackendFailure.INVALID_CONFIGURATION, "azure backend: " + field + " " + problem);
    }

    private static String required(JsonNode node, String field) {
        return required(node, field, field);
    }

    private static String required(JsonNode node, String field, String name) {
        String value = text(node, field);
        if (value == null || value.isBlank()) {
            throw invalid(name, "is required");
        }
        return value;
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
            value.forEach(v -> values.add(v.asText().toLowerCase(Locale.ROOT)));
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
