package ai.dstack.backend.azure.testing;

import ai.dstack.backend.azure.testing.FakeArm.ArmError;
import ai.dstack.backend.ssh.testing.FakeVmSsh;
import ai.dstack.backend.ssh.testing.TestSshServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One subscription in {@link FakeArm}: resource groups and their resources (VMs, managed disks, network interfaces,
 * public IPs, security groups, networks), resource SKUs, long-running operations, and the failures a test scripts
 * (no capacity, quota, restricted sizes, spot eviction, a rotated client secret). Resources are kept by their id,
 * lowercased, as ARM compares them.
 */
public final class FakeArmSubscription {
    /** The fake's locations. */
    static final List<String> LOCATIONS = List.of("eastus", "eastus2", "westus2", "westeurope", "northeurope");

    private final String id;
    private final String tenantId;
    private final String clientId = UUID.randomUUID().toString();
    private volatile String clientSecret = "secret-" + UUID.randomUUID();
    private final String base;
    private final Map<String, ObjectNode> groups = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> resources = new ConcurrentHashMap<>();
    private final Map<String, Vm> vms = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> operations = new ConcurrentHashMap<>();
    private final Set<String> noCapacity = ConcurrentHashMap.newKeySet();
    private final Set<String> noQuota = ConcurrentHashMap.newKeySet();
    private final Set<String> zeroQuota = ConcurrentHashMap.newKeySet();
    private final Set<String> restricted = ConcurrentHashMap.newKeySet();
    private final Set<String> restrictedZones = ConcurrentHashMap.newKeySet();
    /** Community gallery images by {@code gallery/image}, lowercased: the locations they are published in. */
    private final Map<String, Set<String>> galleryImages = new ConcurrentHashMap<>();
    /** Marketplace images: {@code location:publisher:offer:sku}, lowercased, to their versions. */
    private final Map<String, List<String>> marketplace = new ConcurrentHashMap<>();

    /** An HTTP reply: status, JSON body (null for none) and headers. */
    record Reply(int status, JsonNode body, Map<String, String> headers) {}

    FakeArmSubscription(String id, String tenantId, String fakeUrl) {
        this.id = id;
        this.tenantId = tenantId;
        this.base = fakeUrl;
        for (String image : List.of("dstack-0.14", "dstack-cuda-0.14", "dstack-cuda-0.10", "dstack-grid-0.14")) {
            publishGalleryImage(DSTACK_GALLERY, image);
        }
        for (String location : LOCATIONS) {
            marketplace.put(key(location + ":Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2"),
                    List.of("22.04.202410020", "22.04.202411190"));
        }
    }

    /** dstack's public community gallery, as dstack's Azure backend names it. */
    public static final String DSTACK_GALLERY = "dstack-ebac134d-04b9-4c2b-8b6c-ad3e73904aa7";

    public String id() {
        return id;
    }

    public String tenantId() {
        return tenantId;
    }

    public String clientId() {
        return clientId;
    }

    public String clientSecret() {
        return clientSecret;
    }

    // ---- scripting ----

    /**
     * Creating a VM of {@code size} in {@code location} ("*" for any) ends in {@code AllocationFailed}; a location
     * {@code eastus/2} means only that zone of it.
     */
    public FakeArmSubscription noCapacity(String size, String location) {
        noCapacity.add(size.toLowerCase(Locale.ROOT) + "@" + location);
        return this;
    }

    /**
     * {@code size}'s family has a vCPU limit of 0 in the usages API, and creating a VM of any size of that family is
     * refused for quota.
     */
    public FakeArmSubscription zeroQuota(String size) {
        String family = family(size);
        zeroQuota.add(family.toLowerCase(Locale.ROOT));
        catalogueSizes().stream().filter(s -> family(s).equals(family)).forEach(this::noQuota);
        return this;
    }

    /** Creating a VM of {@code size} is refused for its family's vCPU quota. */
    public FakeArmSubscription noQuota(String size) {
        noQuota.add(size.toLowerCase(Locale.ROOT));
        return this;
    }

    /** The resource SKU of {@code size} in {@code location} is {@code NotAvailableForSubscription}. */
    public FakeArmSubscription restrict(String size, String location) {
        restricted.add(size.toLowerCase(Locale.ROOT) + "@" + location);
        return this;
    }

    /** A Linux image in a community gallery, published in every fake location. */
    public FakeArmSubscription publishGalleryImage(String gallery, String image) {
        galleryImages.put(key(gallery + "/" + image), new LinkedHashSet<>(LOCATIONS));
        return this;
    }

    /** A marketplace image ({@code publisher:offer:sku}) with these versions, in every fake location. */
    public FakeArmSubscription marketplaceImage(String publisherOfferSku, String... versions) {
        for (String location : LOCATIONS) {
            marketplace.put(key(location + ":" + publisherOfferSku), List.of(versions));
        }
        return this;
    }

    /** The gallery image is no longer published in {@code location}. */
    public FakeArmSubscription unpublishGalleryImage(String gallery, String image, String location) {
        galleryImages.getOrDefault(key(gallery + "/" + image), new LinkedHashSet<>()).remove(location);
        return this;
    }

    /** {@code size} cannot be created in {@code zone} of {@code location}: a {@code Zone} restriction of its SKU. */
    public FakeArmSubscription restrictZone(String size, String location, String zone) {
        restrictedZones.add(size.toLowerCase(Locale.ROOT) + "@" + location + "/" + zone);
        return this;
    }

    /** A managed image a user made in {@code group} (which is made too when missing). */
    public synchronized FakeArmSubscription existingImage(String group, String name, String location) {
        String groupId = "/subscriptions/" + id + "/resourceGroups/" + group;
        groups.computeIfAbsent(key(groupId), k -> {
            ObjectNode g = FakeArm.JSON.createObjectNode().put("id", groupId).put("name", group)
                    .put("location", location).put("type", "Microsoft.Resources/resourceGroups");
            g.putObject("properties").put("provisioningState", "Succeeded");
            return g;
        });
        String imageId = groupId + "/providers/Microsoft.Compute/images/" + name;
        ObjectNode image = FakeArm.JSON.createObjectNode().put("id", imageId).put("name", name)
                .put("type", "Microsoft.Compute/images").put("location", location);
        ObjectNode props = image.putObject("properties").put("provisioningState", "Succeeded")
                .put("hyperVGeneration", "V2");
        props.putObject("storageProfile").putObject("osDisk").put("osType", "Linux").put("osState", "Generalized");
        resources.put(key(imageId), image);
        return this;
    }

    /** A resource group and a network in it with one subnet, {@code default}, as a user made them. */
    public synchronized FakeArmSubscription existingNetwork(String group, String network, String location) {
        String groupId = "/subscriptions/" + id + "/resourceGroups/" + group;
        ObjectNode g = FakeArm.JSON.createObjectNode().put("id", groupId).put("name", group).put("location", location)
                .put("type", "Microsoft.Resources/resourceGroups");
        g.putObject("properties").put("provisioningState", "Succeeded");
        groups.put(key(groupId), g);
        String networkId = groupId + "/providers/Microsoft.Network/virtualNetworks/" + network;
        ObjectNode vnet = FakeArm.JSON.createObjectNode().put("id", networkId).put("name", network)
                .put("type", "Microsoft.Network/virtualNetworks").put("location", location);
        ObjectNode props = vnet.putObject("properties").put("provisioningState", "Succeeded");
        props.putObject("addressSpace").putArray("addressPrefixes").add("10.1.0.0/16");
        props.putArray("subnets").addObject().put("id", networkId + "/subnets/default").put("name", "default")
                .putObject("properties").put("addressPrefix", "10.1.0.0/24").put("provisioningState", "Succeeded");
        resources.put(key(networkId), vnet);
        return this;
    }

    /** The app's secret is replaced: the old one is refused by Azure AD. */
    public void rotateSecret() {
        clientSecret = "secret-" + UUID.randomUUID();
    }

    /** Azure evicts a spot VM: as its eviction policy is Delete, it is deleted with its disk and its sshd stops. */
    public void evict(String name) {
        Vm vm = vms.values().stream().filter(v -> v.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no VM " + name));
        if (!"Spot".equals(vm.body.path("properties").path("priority").asText())) {
            throw new IllegalArgumentException(name + " is not a spot VM");
        }
        synchronized (this) {
            deleteVm(key(vm.body.path("id").asText()));
        }
    }

    private volatile java.util.function.Consumer<TestSshServer> vmStart = vm -> {};

    /** Prepares each VM's SSH host as it starts (e.g. stand-ins for its disk tools in {@code ~/bin}). */
    public FakeArmSubscription onVmStart(java.util.function.Consumer<TestSshServer> prepare) {
        this.vmStart = prepare;
        return this;
    }

    // ---- inspection ----

    public List<Vm> vms() {
        return List.copyOf(vms.values());
    }

    public Vm vm(String name) {
        return vms.values().stream().filter(v -> v.name.equals(name)).findFirst().orElse(null);
    }

    public Set<String> groupNames() {
        Set<String> names = new LinkedHashSet<>();
        groups.values().forEach(g -> names.add(g.path("name").asText()));
        return names;
    }

    /** A resource by type and name, e.g. {@code Microsoft.Network/networkSecurityGroups}, in any group. */
    public ObjectNode resource(String type, String name) {
        return resources.values().stream().filter(r -> r.path("type").asText().equalsIgnoreCase(type)
                && r.path("name").asText().equals(name)).findFirst().orElse(null);
    }

    /** What is left: {@code type/name} of every resource (resource groups are the project's and stay). */
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        new TreeMap<>(resources).values().forEach(r -> left.add(r.path("type").asText() + "/"
                + r.path("name").asText()));
        return left;
    }

    /** A fake VM: the body it was created with, completed as ARM completes it. */
    public static final class Vm {
        public final String name;
        public final ObjectNode body;
        final FakeVmSsh ssh;
        volatile int views;

        Vm(String name, ObjectNode body, List<String> keys) {
            this.name = name;
            this.body = body;
            this.ssh = new FakeVmSsh(name, keys);
        }

        public String size() {
            return body.path("properties").path("hardwareProfile").path("vmSize").asText();
        }

        public Map<String, String> tags() {
            Map<String, String> tags = new LinkedHashMap<>();
            body.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            return tags;
        }

        public TestSshServer ssh() {
            return ssh.server();
        }

        void startSsh() {
            ssh.start();
        }

        void stopSsh() {
            ssh.stop();
        }
    }

    // ---- the API ----

    /** {@code path} is after {@code /subscriptions/<id>}. */
    synchronized Reply handle(String method, String path, ObjectNode body, Map<String, String> query) {
        String[] p = path.isEmpty() ? new String[0] : path.substring(1).split("/");
        String lower = path.toLowerCase(Locale.ROOT);
        if (p.length == 0 && method.equals("GET")) {
            ObjectNode sub = FakeArm.JSON.createObjectNode().put("id", "/subscriptions/" + id)
                    .put("subscriptionId", id).put("tenantId", tenantId).put("displayName", "fake subscription")
                    .put("state", "Enabled").put("authorizationSource", "RoleBased");
            sub.putObject("subscriptionPolicies").put("locationPlacementId", "Public_2014-09-01")
                    .put("quotaId", "PayAsYouGo_2014-09-01").put("spendingLimit", "Off");
            return ok(sub);
        }
        if (lower.equals("/providers/microsoft.compute/skus") && method.equals("GET")) {
            return ok(skus());
        }
        if (lower.matches("/providers/microsoft\\.compute/locations/[^/]+/usages") && method.equals("GET")) {
            return ok(usages(p[3]));
        }
        if (lower.matches("/providers/microsoft\\.compute/locations/[^/]+/communitygalleries/[^/]+/images/[^/]+")
                && method.equals("GET")) {
            return ok(galleryImage(p[3], p[5], p[7]));
        }
        if (lower.matches("/providers/microsoft\\.compute/locations/[^/]+/publishers/[^/]+/artifacttypes/vmimage"
                + "/offers/[^/]+/skus/[^/]+/versions(/[^/]+)?") && method.equals("GET")) {
            return ok(marketplaceImage(path, p[3], p[5], p[9], p[11], p.length > 13 ? p[13] : null));
        }
        if (lower.startsWith("/providers/microsoft.fake/operations/") && method.equals("GET")) {
            return finish(p[3]);
        }
        if (lower.startsWith("/providers/microsoft.fake/operationresults/") && method.equals("GET")) {
            ObjectNode op = operations.get(p[3]);
            if (op == null) {
                throw new ArmError(404, "NotFound", "operation " + p[3] + " not found");
            }
            finish(p[3]);
            return new Reply(204, null, Map.of());
        }
        if (p.length >= 2 && p[0].equalsIgnoreCase("resourcegroups")) {
            String group = p[1];
            String groupKey = key("/subscriptions/" + id + "/resourceGroups/" + group);
            if (p.length == 2) {
                return switch (method) {
                    case "HEAD" -> new Reply(groups.containsKey(groupKey) ? 204 : 404, null, Map.of());
                    case "GET" -> ok(group(groupKey, group));
                    case "PUT" -> {
                        boolean existed = groups.containsKey(groupKey);
                        ObjectNode g = body.deepCopy().put("id", "/subscriptions/" + id + "/resourceGroups/" + group)
                                .put("name", group).put("type", "Microsoft.Resources/resourceGroups");
                        g.putObject("properties").put("provisioningState", "Succeeded");
                        groups.put(groupKey, g);
                        yield new Reply(existed ? 200 : 201, g, Map.of());
                    }
                    default -> throw new ArmError(405, "MethodNotAllowed", method + " " + path);
                };
            }
            group(groupKey, group);
            if (p.length == 3 && p[2].equalsIgnoreCase("resources") && method.equals("GET")) {
                ObjectNode list = FakeArm.JSON.createObjectNode();
                ArrayNode value = list.putArray("value");
                resources.values().stream().filter(r -> key(r.path("id").asText()).startsWith(groupKey + "/"))
                        .forEach(r -> {
                            ObjectNode item = value.addObject().put("id", r.path("id").asText())
                                    .put("name", r.path("name").asText()).put("type", r.path("type").asText())
                                    .put("location", r.path("location").asText());
                            if (r.has("tags")) {
                                item.set("tags", r.get("tags").deepCopy());
                            }
                        });
                return ok(list);
            }
            if (p.length == 6 && p[2].equalsIgnoreCase("providers")) {
                String type = p[3] + "/" + p[4];
                String resourceId = "/subscriptions/" + id + "/resourceGroups/" + group + "/providers/" + type + "/"
                        + p[5];
                return switch (method) {
                    case "GET" -> get(type, resourceId, query);
                    case "PUT" -> put(type, resourceId, p[5], body);
                    case "DELETE" -> delete(type, resourceId);
                    case "PATCH" -> patchVm(type, resourceId, body);
                    default -> throw new ArmError(405, "MethodNotAllowed", method + " " + path);
                };
            }
        }
        throw new ArmError(404, "NotFound", "No route for " + method + " " + path);
    }

    private ObjectNode galleryImage(String location, String gallery, String image) {
        Set<String> published = galleryImages.get(key(gallery + "/" + image));
        if (published == null || !published.contains(location.toLowerCase(Locale.ROOT))) {
            throw new ArmError(404, "ResourceNotFound", "The Resource 'Microsoft.Compute/locations/" + location
                    + "/communityGalleries/" + gallery + "/images/" + image + "' was not found.");
        }
        ObjectNode body = FakeArm.JSON.createObjectNode().put("name", image).put("location", location)
                .put("type", "Microsoft.Compute/locations/communityGalleries/images");
        body.putObject("identifier").put("uniqueId", "/CommunityGalleries/" + gallery + "/Images/" + image);
        ObjectNode props = body.putObject("properties").put("osType", "Linux").put("osState", "Generalized")
                .put("hyperVGeneration", "V2").put("architecture", "x64");
        props.putObject("identifier").put("publisher", "dstack").put("offer", "dstack").put("sku", image);
        return body;
    }

    /** A marketplace image's versions (a JSON array, as ARM lists them) or one version. */
    private JsonNode marketplaceImage(String path, String location, String publisher, String offer, String sku,
            String version) {
        List<String> versions = marketplace.get(key(location + ":" + publisher + ":" + offer + ":" + sku));
        if (versions == null || (version != null && !versions.contains(version))) {
            throw new ArmError(404, "NotFound", "Artifact: VMImage was not found.");
        }
        String prefix = "/Subscriptions/" + id + path.substring(0, path.toLowerCase(Locale.ROOT).indexOf("/versions"))
                + "/Versions/";
        if (version != null) {
            ObjectNode one = FakeArm.JSON.createObjectNode().put("location", location).put("name", version)
                    .put("id", prefix + version);
            one.putObject("properties").put("hyperVGeneration", "V2").putObject("osDiskImage")
                    .put("operatingSystem", "Linux");
            return one;
        }
        ArrayNode list = FakeArm.JSON.createArrayNode();
        versions.forEach(v -> list.addObject().put("location", location).put("name", v).put("id", prefix + v));
        return list;
    }

    private ObjectNode group(String groupKey, String name) {
        ObjectNode g = groups.get(groupKey);
        if (g == null) {
            throw new ArmError(404, "ResourceGroupNotFound", "Resource group '" + name + "' could not be found.");
        }
        return g;
    }

    private static Reply ok(JsonNode body) {
        return new Reply(200, body, Map.of());
    }

    private Reply get(String type, String resourceId, Map<String, String> query) {
        ObjectNode r = resources.get(key(resourceId));
        if (r == null) {
            throw notFound(type, resourceId);
        }
        if (type.equalsIgnoreCase("Microsoft.Compute/virtualMachines")
                && "instanceView".equalsIgnoreCase(query.get("$expand"))) {
            return ok(instanceView(vms.get(key(resourceId))));
        }
        return ok(r.deepCopy());
    }

    private ArmError notFound(String type, String resourceId) {
        String group = resourceId.split("/")[4];
        return new ArmError(404, "ResourceNotFound", "The Resource '" + type + "/"
                + resourceId.substring(resourceId.lastIndexOf('/') + 1) + "' under resource group '" + group
                + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
    }

    /** starting on the first read, running (its sshd up, its addresses set) from the second. */
    private ObjectNode instanceView(Vm vm) {
        synchronized (vm) {
            vm.views++;
            String power = "starting";
            if (vm.views >= 2) {
                vm.startSsh();
                if (vm.views == 2) {
                    vmStart.accept(vm.ssh());
                }
                power = "running";
                String host = vm.ssh.host();
                for (JsonNode ref : vm.body.path("properties").path("networkProfile").path("networkInterfaces")) {
                    ObjectNode nic = resources.get(key(ref.path("id").asText()));
                    if (nic == null) {
                        continue;
                    }
                    for (JsonNode ipc : nic.path("properties").path("ipConfigurations")) {
                        ObjectNode props = (ObjectNode) ipc.path("properties");
                        props.put("privateIPAddress", host);
                        ObjectNode pip = resources.get(key(props.path("publicIPAddress").path("id").asText()));
                        if (pip != null) {
                            ((ObjectNode) pip.path("properties")).put("ipAddress", host);
                        }
                    }
                }
            }
            ObjectNode copy = vm.body.deepCopy();
            ArrayNode statuses = ((ObjectNode) copy.path("properties")).putObject("instanceView").putArray("statuses");
            statuses.addObject().put("code", "ProvisioningState/succeeded").put("level", "Info")
                    .put("displayStatus", "Provisioning succeeded");
            statuses.addObject().put("code", "PowerState/" + power).put("level", "Info")
                    .put("displayStatus", "VM " + power);
            return copy;
        }
    }

    private Reply put(String type, String resourceId, String name, ObjectNode body) {
        String k = key(resourceId);
        boolean existed = resources.containsKey(k);
        ObjectNode r = body.deepCopy().put("id", resourceId).put("name", name).put("type", type);
        ObjectNode props = r.has("properties") ? (ObjectNode) r.get("properties") : r.putObject("properties");
        String error = null;
        String errorMessage = null;
        switch (type.toLowerCase(Locale.ROOT)) {
            case "microsoft.network/virtualnetworks" -> {
                for (JsonNode subnet : props.path("subnets")) {
                    ((ObjectNode) subnet).put("id", resourceId + "/subnets/" + subnet.path("name").asText());
                    ((ObjectNode) subnet.path("properties")).put("provisioningState", "Succeeded");
                }
            }
            case "microsoft.network/networksecuritygroups" -> {
                for (JsonNode rule : props.path("securityRules")) {
                    ((ObjectNode) rule).put("id", resourceId + "/securityRules/" + rule.path("name").asText());
                }
            }
            case "microsoft.network/publicipaddresses" -> props.put("publicIPAddressVersion", "IPv4");
            case "microsoft.network/networkinterfaces" -> {
                for (JsonNode ipc : props.path("ipConfigurations")) {
                    ((ObjectNode) ipc).put("id", resourceId + "/ipConfigurations/" + ipc.path("name").asText());
                    String subnet = ipc.path("properties").path("subnet").path("id").asText();
                    String network = subnet.contains("/subnets/") ? subnet.substring(0, subnet.indexOf("/subnets/"))
                            : subnet;
                    if (!resources.containsKey(key(network))) {
                        throw new ArmError(400, "InvalidResourceReference", "Resource " + network + " referenced by "
                                + "resource " + resourceId + " was not found.");
                    }
                    String pip = ipc.path("properties").path("publicIPAddress").path("id").asText(null);
                    if (pip != null && !resources.containsKey(key(pip))) {
                        throw new ArmError(400, "InvalidResourceReference", "Resource " + pip + " referenced by "
                                + "resource " + resourceId + " was not found.");
                    }
                }
                String nsg = props.path("networkSecurityGroup").path("id").asText(null);
                if (nsg != null && !resources.containsKey(key(nsg))) {
                    throw new ArmError(400, "InvalidResourceReference", "Resource " + nsg + " referenced by resource "
                            + resourceId + " was not found.");
                }
                props.put("macAddress", "00-0D-3A-00-00-01");
            }
            case "microsoft.compute/virtualmachines" -> {
                String size = props.path("hardwareProfile").path("vmSize").asText().toLowerCase(Locale.ROOT);
                String location = r.path("location").asText();
                if (noQuota.contains(size)) {
                    throw new ArmError(409, "OperationNotAllowed", "Operation could not be completed as it results "
                            + "in exceeding approved Total Regional Cores quota. Location: " + location
                            + ", Current Limit: 10, Current Usage: 8, Additional Required: 4.");
                }
                String zone = r.path("zones").path(0).asText(null);
                if (zone != null && (!List.of("1", "2", "3").contains(zone)
                        || restrictedZones.contains(size + "@" + location + "/" + zone))) {
                    throw new ArmError(409, "SkuNotAvailable", "The requested VM size '"
                            + props.path("hardwareProfile").path("vmSize").asText() + "' is currently not available "
                            + "in location '" + location + "' zones '" + zone + "' for subscription '" + id + "'.");
                }
                checkImage(props.path("storageProfile").path("imageReference"), location);
                List<String> keys = new ArrayList<>();
                for (JsonNode key : props.path("osProfile").path("linuxConfiguration").path("ssh").path("publicKeys")) {
                    keys.add(key.path("keyData").asText());
                }
                for (JsonNode ref : props.path("networkProfile").path("networkInterfaces")) {
                    ObjectNode nic = resources.get(key(ref.path("id").asText()));
                    if (nic == null) {
                        throw new ArmError(400, "NotFound", "Resource " + ref.path("id").asText() + " not found.");
                    }
                    ((ObjectNode) nic.path("properties")).putObject("virtualMachine").put("id", resourceId);
                }
                props.put("vmId", UUID.randomUUID().toString());
                String disk = name + "_OsDisk_1_" + UUID.randomUUID().toString().replace("-", "");
                String diskId = resourceId.substring(0, resourceId.indexOf("/providers/"))
                        + "/providers/Microsoft.Compute/disks/" + disk;
                ObjectNode osDisk = (ObjectNode) props.path("storageProfile").path("osDisk");
                osDisk.put("name", disk).put("osType", "Linux");
                ((ObjectNode) osDisk.path("managedDisk")).put("id", diskId);
                ObjectNode diskResource = FakeArm.JSON.createObjectNode().put("id", diskId).put("name", disk)
                        .put("type", "Microsoft.Compute/disks").put("location", location).put("managedBy", resourceId);
                diskResource.putObject("properties").put("diskSizeGB", osDisk.path("diskSizeGB").asInt())
                        .put("provisioningState", "Succeeded").put("diskState", "Attached");
                resources.put(key(diskId), diskResource);
                if (noCapacity.contains(size + "@" + location) || noCapacity.contains(size + "@*")
                        || noCapacity.contains("*@*") || noCapacity.contains(size + "@" + location + "/" + zone)) {
                    error = "AllocationFailed";
                    errorMessage = "Allocation failed. We do not have sufficient capacity for the requested VM size "
                            + props.path("hardwareProfile").path("vmSize").asText() + " in this region. Read more "
                            + "about improving likelihood of allocation success at http://aka.ms/allocation-guidance";
                }
                vms.put(k, new Vm(name, r, keys));
            }
            default -> { }
        }
        if (type.equalsIgnoreCase("Microsoft.Compute/proximityPlacementGroups")) {
            // not a long-running operation: created at once
            resources.put(k, r);
            return new Reply(existed ? 200 : 201, r.deepCopy(), Map.of());
        }
        props.put("provisioningState", existed ? "Updating" : "Creating");
        resources.put(k, r);
        String op = operation(k, error, errorMessage);
        // the disks API answers a create with 202 Accepted, the others with 201 Created
        int created = type.equalsIgnoreCase("Microsoft.Compute/disks") ? 202 : 201;
        return new Reply(existed ? 200 : created, r.deepCopy(), Map.of("Azure-AsyncOperation", operationUrl(op),
                "Retry-After", "0"));
    }

    /** A VM's image must exist where the VM is made, as ARM checks it. */
    private void checkImage(JsonNode image, String location) {
        String gallery = image.path("communityGalleryImageId").asText(null);
        String imageId = image.path("id").asText(null);
        if (gallery != null) {
            String[] g = gallery.split("/");
            Set<String> published = g.length >= 5 ? galleryImages.get(key(g[2] + "/" + g[4])) : null;
            if (published == null || !published.contains(location)) {
                throw new ArmError(404, "GalleryImageNotFound", "The gallery image " + gallery + " is not available in"
                        + " " + location + ".");
            }
        } else if (imageId != null) {
            if (!resources.containsKey(key(imageId))) {
                throw new ArmError(404, "NotFound", "The Image '" + imageId + "' cannot be found in '" + location
                        + "' region.");
            }
        } else {
            String version = image.path("version").asText();
            List<String> versions = marketplace.get(key(location + ":" + image.path("publisher").asText() + ":"
                    + image.path("offer").asText() + ":" + image.path("sku").asText()));
            if (versions == null || (!version.equalsIgnoreCase("latest") && !versions.contains(version))) {
                throw new ArmError(404, "PlatformImageNotFound", "The platform image '"
                        + image.path("publisher").asText() + ":" + image.path("offer").asText() + ":"
                        + image.path("sku").asText() + ":" + version + "' is not available.");
            }
        }
    }

    /** A VM update: its data disks are replaced by the body's, attaching and detaching managed disks. */
    private Reply patchVm(String type, String resourceId, ObjectNode body) {
        Vm vm = vms.get(key(resourceId));
        if (vm == null || !type.equalsIgnoreCase("Microsoft.Compute/virtualMachines")) {
            throw notFound(type, resourceId);
        }
        JsonNode wanted = body.path("properties").path("storageProfile").path("dataDisks");
        ObjectNode storage = (ObjectNode) vm.body.path("properties").path("storageProfile");
        for (JsonNode old : storage.path("dataDisks")) {
            ObjectNode disk = resources.get(key(old.path("managedDisk").path("id").asText()));
            if (disk != null) {
                disk.remove("managedBy");
            }
        }
        ArrayNode disks = storage.putArray("dataDisks");
        for (JsonNode d : wanted) {
            String diskId = d.path("managedDisk").path("id").asText();
            ObjectNode disk = resources.get(key(diskId));
            if (disk == null) {
                throw new ArmError(404, "NotFound", "Disk " + diskId + " was not found.");
            }
            if (disk.has("managedBy") && !disk.path("managedBy").asText().equalsIgnoreCase(resourceId)) {
                throw new ArmError(409, "OperationNotAllowed", "Disk " + disk.path("name").asText() + " is "
                        + "attached to VM " + disk.path("managedBy").asText() + ".");
            }
            String diskZone = disk.path("zones").path(0).asText(null);
            String vmZone = vm.body.path("zones").path(0).asText(null);
            if (!java.util.Objects.equals(diskZone, vmZone)) {
                throw new ArmError(400, "BadRequest", "Disk " + disk.path("name").asText() + " (zone " + diskZone
                        + ") cannot be attached to VM " + vm.name + " (zone " + vmZone + "): they are not in the same"
                        + " availability zone.");
            }
            disk.put("managedBy", resourceId);
            disks.add(d.deepCopy());
        }
        ((ObjectNode) vm.body.path("properties")).put("provisioningState", "Updating");
        String op = operation(key(resourceId), null, null);
        return new Reply(200, vm.body.deepCopy(), Map.of("Azure-AsyncOperation", operationUrl(op), "Retry-After",
                "0"));
    }

    /** A managed disk's own resource, for tests. */
    public ObjectNode disk(String name) {
        return resource("Microsoft.Compute/disks", name);
    }

    private Reply delete(String type, String resourceId) {
        String k = key(resourceId);
        ObjectNode r = resources.get(k);
        if (r == null) {
            return new Reply(204, null, Map.of());
        }
        switch (type.toLowerCase(Locale.ROOT)) {
            case "microsoft.compute/virtualmachines" -> deleteVm(k);
            case "microsoft.network/networkinterfaces" -> {
                String vm = r.path("properties").path("virtualMachine").path("id").asText(null);
                if (vm != null) {
                    throw new ArmError(400, "NicInUse", "Network Interface " + resourceId + " is used by existing "
                            + "resource " + vm + ". In order to delete the network interface, it must be dissociated "
                            + "from the resource.");
                }
                resources.remove(k);
            }
            case "microsoft.network/publicipaddresses" -> {
                boolean used = references("microsoft.network/networkinterfaces", k);
                if (used) {
                    throw new ArmError(400, "PublicIPAddressCannotBeDeleted", "Public IP address " + resourceId
                            + " can not be deleted since it is still allocated to a network interface.");
                }
                resources.remove(k);
            }
            case "microsoft.network/networksecuritygroups" -> {
                if (references("microsoft.network/networkinterfaces", k)) {
                    throw new ArmError(400, "InUseNetworkSecurityGroupCannotBeDeleted", "Network security group "
                            + resourceId + " cannot be deleted because it is in use by a network interface.");
                }
                resources.remove(k);
            }
            case "microsoft.network/virtualnetworks" -> {
                if (references("microsoft.network/networkinterfaces", k + "/subnets/")) {
                    throw new ArmError(400, "InUseSubnetCannotBeDeleted", "Subnet default is in use by a network "
                            + "interface and cannot be deleted.");
                }
                resources.remove(k);
            }
            case "microsoft.compute/disks" -> {
                if (r.has("managedBy")) {
                    throw new ArmError(409, "OperationNotAllowed", "Disk " + r.path("name").asText() + " is "
                            + "attached to VM " + r.path("managedBy").asText() + ".");
                }
                resources.remove(k);
            }
            case "microsoft.compute/proximityplacementgroups" -> {
                if (references("microsoft.compute/virtualmachines", k)) {
                    throw new ArmError(409, "OperationNotAllowed", "Proximity placement group '"
                            + r.path("name").asText() + "' cannot be deleted as it is in use by virtual machines.");
                }
                resources.remove(k);
                return new Reply(200, null, Map.of()); // not a long-running operation
            }
            default -> resources.remove(k);
        }
        String op = operation(null, null, null);
        return new Reply(202, null, Map.of("Azure-AsyncOperation", operationUrl(op), "Location",
                base + "/subscriptions/" + id + "/providers/Microsoft.Fake/operationResults/" + op
                        + "?api-version=2024-01-01", "Retry-After", "0"));
    }

    /** Deletes a VM as ARM does: its OS disk and its interfaces with deleteOption Delete go with it. */
    private void deleteVm(String k) {
        Vm vm = vms.remove(k);
        ObjectNode r = resources.remove(k);
        if (vm != null) {
            vm.stopSsh();
        }
        if (r == null) {
            return;
        }
        resources.remove(key(r.path("properties").path("storageProfile").path("osDisk").path("managedDisk")
                .path("id").asText()));
        for (JsonNode data : r.path("properties").path("storageProfile").path("dataDisks")) {
            ObjectNode disk = resources.get(key(data.path("managedDisk").path("id").asText()));
            if (disk != null) {
                disk.remove("managedBy");
            }
        }
        for (JsonNode ref : r.path("properties").path("networkProfile").path("networkInterfaces")) {
            String nicKey = key(ref.path("id").asText());
            ObjectNode nic = resources.get(nicKey);
            if (nic == null) {
                continue;
            }
            ((ObjectNode) nic.path("properties")).remove("virtualMachine");
            if ("Delete".equalsIgnoreCase(ref.path("properties").path("deleteOption").asText())) {
                resources.remove(nicKey);
            }
        }
    }

    /** Whether a resource of the type mentions {@code idPrefix} (lowercased) anywhere in its body. */
    private boolean references(String type, String idPrefix) {
        return resources.values().stream().filter(r -> r.path("type").asText().equalsIgnoreCase(type))
                .anyMatch(r -> r.toString().toLowerCase(Locale.ROOT).contains(idPrefix));
    }

    private String operation(String resourceKey, String errorCode, String errorMessage) {
        String name = UUID.randomUUID().toString();
        ObjectNode op = FakeArm.JSON.createObjectNode().put("name", name).put("status", "InProgress");
        if (resourceKey != null) {
            op.put("resource", resourceKey);
        }
        if (errorCode != null) {
            op.put("pendingErrorCode", errorCode).put("pendingErrorMessage", errorMessage);
        }
        operations.put(name, op);
        return name;
    }

    private String operationUrl(String op) {
        return base + "/subscriptions/" + id + "/providers/Microsoft.Fake/operations/" + op + "?api-version=2024-01-01";
    }

    /** An operation ends when it is first polled: Succeeded (its resource too), or Failed with its error. */
    private Reply finish(String name) {
        ObjectNode op = operations.get(name);
        if (op == null) {
            throw new ArmError(404, "NotFound", "operation " + name + " not found");
        }
        ObjectNode resource = op.has("resource") ? resources.get(op.path("resource").asText()) : null;
        if (op.has("pendingErrorCode")) {
            op.put("status", "Failed");
            op.putObject("error").put("code", op.path("pendingErrorCode").asText())
                    .put("message", op.path("pendingErrorMessage").asText());
            op.remove(List.of("pendingErrorCode", "pendingErrorMessage"));
            if (resource != null) {
                ((ObjectNode) resource.path("properties")).put("provisioningState", "Failed");
            }
        } else if (op.path("status").asText().equals("InProgress")) {
            op.put("status", "Succeeded");
            if (resource != null) {
                ((ObjectNode) resource.path("properties")).put("provisioningState", "Succeeded");
            }
        }
        return ok(op.deepCopy().without("resource"));
    }

    /** One SKU per catalogue size and fake location, restricted where a test said so. */
    private ObjectNode skus() {
        ObjectNode list = FakeArm.JSON.createObjectNode();
        ArrayNode value = list.putArray("value");
        for (String size : catalogueSizes()) {
            for (String location : LOCATIONS) {
                ObjectNode sku = value.addObject().put("resourceType", "virtualMachines").put("name", size)
                        .put("tier", "Standard").put("size", size.substring(size.indexOf('_') + 1))
                        .put("family", family(size));
                sku.putArray("locations").add(location);
                sku.putArray("locationInfo").addObject().put("location", location).putArray("zones").add("1")
                        .add("2").add("3");
                ArrayNode restrictions = sku.putArray("restrictions");
                if (restricted.contains(size.toLowerCase(Locale.ROOT) + "@" + location)) {
                    ObjectNode r = restrictions.addObject().put("type", "Location")
                            .put("reasonCode", "NotAvailableForSubscription");
                    r.putArray("values").add(location);
                    r.putObject("restrictionInfo").putArray("locations").add(location);
                }
                List<String> zonesRestricted = new ArrayList<>();
                for (String zone : List.of("1", "2", "3")) {
                    if (restrictedZones.contains(size.toLowerCase(Locale.ROOT) + "@" + location + "/" + zone)) {
                        zonesRestricted.add(zone);
                    }
                }
                if (!zonesRestricted.isEmpty()) {
                    ObjectNode r = restrictions.addObject().put("type", "Zone")
                            .put("reasonCode", "NotAvailableForSubscription");
                    r.putArray("values").add(location);
                    ObjectNode info = r.putObject("restrictionInfo");
                    info.putArray("locations").add(location);
                    zonesRestricted.forEach(info.putArray("zones")::add);
                }
            }
        }
        return list;
    }

    /** A size's vCPU quota family, as SKUs and usages name it: {@code Standard_NC4as_T4_v3} is in {@code standardNCas_T4_v3Family}. */
    static String family(String size) {
        return "standard" + size.substring(size.indexOf('_') + 1).replaceFirst("[0-9]+", "") + "Family";
    }

    /** The location's vCPU usages: the regional total and one per family, limit 0 where a test said so. */
    private ObjectNode usages(String location) {
        ObjectNode list = FakeArm.JSON.createObjectNode();
        ArrayNode value = list.putArray("value");
        value.addObject().put("unit", "Count").put("currentValue", 0).put("limit", 350).putObject("name")
                .put("value", "cores").put("localizedValue", "Total Regional vCPUs");
        for (String family : catalogueSizes().stream().map(FakeArmSubscription::family).distinct().toList()) {
            boolean none = zeroQuota.contains(family.toLowerCase(Locale.ROOT));
            value.addObject().put("unit", "Count").put("currentValue", 0).put("limit", none ? 0 : 100)
                    .putObject("name").put("value", family).put("localizedValue", family + " vCPUs in " + location);
        }
        return list;
    }

    private static List<String> catalogueSizes() {
        Set<String> names = new LinkedHashSet<>();
        try (var in = FakeArmSubscription.class.getClassLoader().getResourceAsStream(
                "ai/dstack/backend/azure/internal/azure-catalog.csv");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reader.lines().filter(l -> !l.startsWith("#") && !l.startsWith("instance_name"))
                    .forEach(l -> names.add(l.substring(0, l.indexOf(','))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return List.copyOf(names);
    }

    static String key(String resourceId) {
        return resourceId.toLowerCase(Locale.ROOT);
    }

    void close() {
        vms.values().forEach(Vm::stopSsh);
    }
}
