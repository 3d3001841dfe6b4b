package ai.dstack.backend.gcp.testing;

import ai.dstack.backend.gcp.testing.FakeGce.GceError;
import ai.dstack.backend.ssh.testing.FakeVmSsh;
import ai.dstack.backend.ssh.testing.TestSshServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One GCP project in {@link FakeGce}: zones, machine and accelerator types, firewall rules, VMs, disks, resource
 * policies, routers and operations, and the failures a test scripts (no capacity, quota, preemption, revoked key).
 */
public final class FakeGceProject {
    /** The fake's zones, by region. */
    static final Map<String, List<String>> ZONES = Map.of(
            "us-central1", List.of("us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"),
            "us-east1", List.of("us-east1-b", "us-east1-c", "us-east1-d"),
            "us-west1", List.of("us-west1-a", "us-west1-b"),
            "europe-west4", List.of("europe-west4-a", "europe-west4-b", "europe-west4-c"),
            "asia-southeast1", List.of("asia-southeast1-a", "asia-southeast1-b"));
    static final List<String> ACCELERATORS = List.of("nvidia-tesla-t4", "nvidia-l4", "nvidia-tesla-v100",
            "nvidia-tesla-a100", "nvidia-a100-80gb", "nvidia-h100-80gb");
    private static final Pattern LABEL_TERM = Pattern.compile("labels\\.([a-z0-9_-]+) = \"([^\"]*)\"");

    private final String id;
    private final String base;
    private final String email;
    private final String privateKeyPem;
    private final AtomicLong ids = new AtomicLong(1000);
    private final Map<String, Vm> vms = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> disks = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> firewalls = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> policies = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> operations = new ConcurrentHashMap<>();
    private final Set<String> noCapacity = ConcurrentHashMap.newKeySet();
    private final Set<String> noQuota = ConcurrentHashMap.newKeySet();
    private final Set<String> natRegions = ConcurrentHashMap.newKeySet();
    private volatile boolean revoked;
    private final Map<String, Tpu> tpus = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> tpuOperations = new ConcurrentHashMap<>();
    private final Set<String> tpuNoCapacity = ConcurrentHashMap.newKeySet();

    FakeGceProject(String id, String fakeUrl) {
        this.id = id;
        this.base = fakeUrl + "/compute/v1/projects/" + id;
        this.email = "dstack@" + id + ".iam.gserviceaccount.com";
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
            this.privateKeyPem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                    + "\n-----END PRIVATE KEY-----\n";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        this.tokenUri = fakeUrl + "/token";
    }

    private final String tokenUri;

    public String id() {
        return id;
    }

    String serviceAccountEmail() {
        return email;
    }

    boolean revoked() {
        return revoked;
    }

    /** The service account key JSON, as the console downloads it; its token_uri is the fake's. */
    public String serviceAccountJson() {
        ObjectNode key = FakeGce.JSON.createObjectNode().put("type", "service_account").put("project_id", id)
                .put("private_key_id", "fake-key-" + id).put("private_key", privateKeyPem).put("client_email", email)
                .put("client_id", "1234567890").put("token_uri", tokenUri);
        return key.toString();
    }

    // ---- scripting ----

    /** instances.insert of {@code machineType} in {@code zone} ("*" for any) ends ZONE_RESOURCE_POOL_EXHAUSTED. */
    public FakeGceProject noCapacity(String machineType, String zone) {
        noCapacity.add(machineType + "@" + zone);
        return this;
    }

    /** instances.insert of {@code machineType} ends QUOTA_EXCEEDED. */
    public FakeGceProject noQuota(String machineType) {
        noQuota.add(machineType);
        return this;
    }

    /** A Cloud NAT in the region's router (for nat_check). */
    public FakeGceProject cloudNat(String region) {
        natRegions.add(region);
        return this;
    }

    /** Creating a TPU node of {@code acceleratorType} in {@code zone} ends with RESOURCE_EXHAUSTED (code 8). */
    public FakeGceProject tpuNoCapacity(String acceleratorType, String zone) {
        tpuNoCapacity.add(acceleratorType + "@" + zone);
        return this;
    }

    /** Google preempts a spot TPU: the node stays, in state PREEMPTED, and its sshd stops. */
    public void preemptTpu(String name) {
        Tpu tpu = tpus.get(name);
        synchronized (tpu) {
            tpu.body.put("state", "PREEMPTED");
            tpu.ssh.stop();
        }
    }

    /** The service account's key is deleted: the token endpoint refuses it. */
    public void revokeKey() {
        revoked = true;
    }

    /** GCE preempts a spot VM: as its instanceTerminationAction is DELETE, it is gone and its sshd stops. */
    public void preempt(String name) {
        Vm vm = vms.remove(name);
        if (vm == null) {
            throw new IllegalArgumentException("no VM " + name);
        }
        if (!"SPOT".equals(vm.body.path("scheduling").path("provisioningModel").asText())) {
            throw new IllegalArgumentException(name + " is not a spot VM");
        }
        vm.stopSsh();
    }

    // ---- inspection ----

    private volatile java.util.function.Consumer<TestSshServer> vmStart = vm -> {};

    /** Prepares each VM's SSH host as it starts (e.g. stand-ins for its tools in {@code ~/bin}). */
    public FakeGceProject onVmStart(java.util.function.Consumer<TestSshServer> prepare) {
        this.vmStart = prepare;
        return this;
    }

    public List<Vm> vms() {
        return List.copyOf(vms.values());
    }

    public Vm vm(String name) {
        return vms.get(name);
    }

    public Set<String> firewallNames() {
        return new TreeSet<>(firewalls.keySet());
    }

    public ObjectNode firewall(String name) {
        return firewalls.get(name);
    }

    public Set<String> diskNames() {
        return new TreeSet<>(disks.keySet());
    }

    public ObjectNode disk(String name) {
        return disks.get(name);
    }

    public Set<String> policyNames() {
        return new TreeSet<>(policies.keySet());
    }

    public ObjectNode policy(String name) {
        return policies.get(name);
    }

    public List<Tpu> tpus() {
        return List.copyOf(tpus.values());
    }

    /** What is left: VMs, TPU nodes, firewall rules, disks and policies. */
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        vms.keySet().forEach(n -> left.add("vm " + n));
        tpus.keySet().forEach(n -> left.add("tpu " + n));
        firewalls.keySet().forEach(n -> left.add("firewall " + n));
        disks.keySet().forEach(n -> left.add("disk " + n));
        policies.keySet().forEach(n -> left.add("resource policy " + n));
        return left;
    }

    /** A fake VM: the body it was inserted with, completed as GCE completes it. */
    public static final class Vm {
        public final String name;
        public final String zone;
        public final ObjectNode body;
        final FakeVmSsh ssh;

        Vm(String name, String zone, ObjectNode body, List<String> keys) {
            this.name = name;
            this.zone = zone;
            this.body = body;
            this.ssh = new FakeVmSsh(name, keys);
        }

        public String status() {
            return body.path("status").asText();
        }

        public String machineType() {
            String type = body.path("machineType").asText();
            return type.substring(type.lastIndexOf('/') + 1);
        }

        public Map<String, String> labels() {
            Map<String, String> labels = new LinkedHashMap<>();
            body.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            return labels;
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

    /** A fake TPU node: the body it was created with, completed as the TPU API completes it. */
    public static final class Tpu {
        public final String name;
        public final String zone;
        public final ObjectNode body;
        final FakeVmSsh ssh;

        Tpu(String name, String zone, ObjectNode body, List<String> keys) {
            this.name = name;
            this.zone = zone;
            this.body = body;
            this.ssh = new FakeVmSsh(name, keys);
        }

        public TestSshServer ssh() {
            return ssh.server();
        }
    }

    // ---- the TPU API (v2), after /v2/projects/<id> ----

    Object handleTpu(String method, String path, ObjectNode body, Map<String, String> query) {
        String[] p = path.substring(1).split("/");
        // locations/<zone>/nodes[/<name>] or locations/<zone>/operations/<op>
        if (p.length < 3 || !p[0].equals("locations")) {
            throw new GceError(404, "notFound", "Not found: " + path);
        }
        String zone = p[1];
        if (p[2].equals("operations") && p.length == 4 && method.equals("GET")) {
            ObjectNode op = tpuOperations.get(p[3]);
            if (op == null) {
                throw new GceError(404, "notFound", "operation " + p[3] + " not found");
            }
            op.put("done", true);
            return op.deepCopy();
        }
        if (!p[2].equals("nodes")) {
            throw new GceError(404, "notFound", "Not found: " + path);
        }
        if (p.length == 3 && method.equals("GET")) {
            ObjectNode list = FakeGce.JSON.createObjectNode();
            ArrayNode nodes = list.putArray("nodes");
            tpus.values().stream().filter(t -> zone.equals("-") || t.zone.equals(zone))
                    .forEach(t -> nodes.add(t.body.deepCopy()));
            return list;
        }
        if (p.length == 3 && method.equals("POST")) {
            return createTpu(zone, query.get("nodeId"), body);
        }
        Tpu tpu = p.length == 4 ? tpus.get(p[3]) : null;
        if (tpu == null || !tpu.zone.equals(zone)) {
            throw new GceError(404, "notFound", "Resource 'projects/" + id + "/locations/" + zone + "/nodes/"
                    + (p.length == 4 ? p[3] : "") + "' was not found");
        }
        return switch (method) {
            case "GET" -> readTpu(tpu);
            case "DELETE" -> {
                tpus.remove(tpu.name);
                tpu.ssh.stop();
                yield tpuOperation(zone, "delete", null);
            }
            default -> throw new GceError(405, "methodNotAllowed", method + " " + path);
        };
    }

    private ObjectNode createTpu(String zone, String name, ObjectNode body) {
        if (name == null || tpus.containsKey(name)) {
            throw new GceError(409, "alreadyExists", "node " + name + " already exists");
        }
        String type = body.path("acceleratorType").asText();
        if (tpuNoCapacity.contains(type + "@" + zone)) {
            ObjectNode error = FakeGce.JSON.createObjectNode().put("code", 8).put("message", "There is no more "
                    + "capacity in the zone \"" + zone + "\"; you can try in another zone where Cloud TPU Nodes are "
                    + "offered (see https://cloud.google.com/tpu/docs/regions) [EID: 0x1a2b3c]");
            return tpuOperation(zone, "create", error);
        }
        List<String> keys = new ArrayList<>();
        for (String line : body.path("metadata").path("ssh-keys").asText().split("\n")) {
            if (line.contains(":")) {
                keys.add(line.substring(line.indexOf(':') + 1));
            }
        }
        ObjectNode node = body.deepCopy().put("name", "projects/" + id + "/locations/" + zone + "/nodes/" + name)
                .put("state", "CREATING").put("health", "HEALTHY").put("apiVersion", "V2");
        tpus.put(name, new Tpu(name, zone, node, keys));
        return tpuOperation(zone, "create", null);
    }

    /** CREATING on the first read, READY from the second (its sshd up, its addresses set). */
    private ObjectNode readTpu(Tpu tpu) {
        synchronized (tpu) {
            if (tpu.body.path("state").asText().equals("CREATING")) {
                tpu.body.put("state", "CREATING-1");
            } else if (tpu.body.path("state").asText().equals("CREATING-1")) {
                tpu.ssh.start();
                vmStart.accept(tpu.ssh());
                tpu.body.put("state", "READY");
                ObjectNode endpoint = tpu.body.putArray("networkEndpoints").addObject()
                        .put("ipAddress", tpu.ssh.host()).put("port", 8470);
                if (tpu.body.path("networkConfig").path("enableExternalIps").asBoolean()) {
                    endpoint.putObject("accessConfig").put("externalIp", tpu.ssh.host());
                }
            }
            ObjectNode copy = tpu.body.deepCopy();
            if (copy.path("state").asText().startsWith("CREATING")) {
                copy.put("state", "CREATING");
            }
            return copy;
        }
    }

    /** A long-running operation, not done when returned; done (with its error, if any) when read. */
    private ObjectNode tpuOperation(String zone, String verb, ObjectNode error) {
        String opId = "operation-" + ids.incrementAndGet() + "-" + verb;
        ObjectNode op = FakeGce.JSON.createObjectNode().put("name", "projects/" + id + "/locations/" + zone
                + "/operations/" + opId).put("done", false);
        op.putObject("metadata").put("@type", "type.googleapis.com/google.cloud.common.OperationMetadata")
                .put("verb", verb);
        if (error != null) {
            op.set("error", error);
        }
        tpuOperations.put(opId, op);
        ObjectNode pending = op.deepCopy();
        pending.remove("error");
        return pending;
    }

    // ---- the API ----

    Object handle(String method, String path, ObjectNode body, Map<String, String> query) {
        if (revoked) {
            throw new GceError(401, "authError", "Request had invalid authentication credentials.");
        }
        String[] p = path.isEmpty() ? new String[0] : path.substring(1).split("/");
        String route = method + " " + shape(p);
        return switch (route) {
            case "GET " -> FakeGce.JSON.createObjectNode().put("kind", "compute#project").put("name", id)
                    .put("id", "42").put("selfLink", base);
            case "GET zones" -> zonesList();
            case "GET aggregated/machineTypes" -> aggregatedTypes("machineTypes", machineTypes());
            case "GET aggregated/acceleratorTypes" -> aggregatedTypes("acceleratorTypes", ACCELERATORS);
            case "GET aggregated/instances" -> aggregated("instances", vms.values().stream().map(v -> v.body).toList(),
                    query.get("filter"));
            case "GET aggregated/disks" -> aggregated("disks", List.copyOf(disks.values()), query.get("filter"));
            case "GET aggregated/resourcePolicies" -> aggregated("resourcePolicies", List.copyOf(policies.values()),
                    null);
            case "GET global/firewalls" -> list("compute#firewallList", firewalls.values());
            case "POST global/firewalls" -> insertFirewall(body);
            case "GET global/firewalls/*" -> found(firewalls.get(p[2]), "global/firewalls/" + p[2]);
            case "DELETE global/firewalls/*" -> {
                found(firewalls.remove(p[2]), "global/firewalls/" + p[2]);
                yield operation("delete", null, null, "global/firewalls/" + p[2], null, null);
            }
            case "POST zones/*/instances" -> insertInstance(p[1], body);
            case "GET zones/*/instances/*" -> getInstance(p[1], p[3]);
            case "DELETE zones/*/instances/*" -> deleteInstance(p[1], p[3]);
            case "POST zones/*/instances/*/attachDisk" -> attachDisk(p[1], p[3], body);
            case "POST zones/*/instances/*/detachDisk" -> detachDisk(p[1], p[3], query.get("deviceName"));
            case "POST zones/*/disks" -> insertDisk(p[1], body);
            case "GET zones/*/disks/*" -> found(disks.get(p[3]), "zones/" + p[1] + "/disks/" + p[3]);
            case "DELETE zones/*/disks/*" -> deleteDisk(p[1], p[3]);
            case "POST regions/*/resourcePolicies" -> insertPolicy(p[1], body);
            case "DELETE regions/*/resourcePolicies/*" -> deletePolicy(p[1], p[3]);
            case "GET regions/*/routers" -> routers(p[1]);
            case "POST zones/*/operations/*/wait", "POST regions/*/operations/*/wait",
                    "GET zones/*/operations/*", "GET regions/*/operations/*" -> finish(p[3]);
            case "POST global/operations/*/wait", "GET global/operations/*" -> finish(p[2]);
            default -> throw new GceError(404, "notFound", "The requested URL " + route + " was not found");
        };
    }

    /** The path with names replaced by {@code *} where the API has a variable. */
    private static String shape(String[] p) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            boolean variable = (i == 1 && (p[0].equals("zones") || p[0].equals("regions")) && p.length > 2)
                    || (i == 2 && p[0].equals("global") && p.length > 2)
                    || (i == 3 && (p[0].equals("zones") || p[0].equals("regions")));
            out.add(variable ? "*" : p[i]);
        }
        return String.join("/", out);
    }

    private static ObjectNode found(ObjectNode node, String what) {
        if (node == null) {
            throw new GceError(404, "notFound", "The resource 'projects/.../" + what + "' was not found");
        }
        return node;
    }

    private ObjectNode zonesList() {
        ObjectNode list = FakeGce.JSON.createObjectNode().put("kind", "compute#zoneList");
        ArrayNode items = list.putArray("items");
        new TreeSet<>(ZONES.keySet()).forEach(region -> ZONES.get(region).forEach(zone -> items.addObject()
                .put("kind", "compute#zone").put("name", zone).put("status", "UP")
                .put("region", base + "/regions/" + region).put("selfLink", base + "/zones/" + zone)));
        return list;
    }

    private static List<String> machineTypes() {
        Set<String> names = new LinkedHashSet<>();
        try (var in = FakeGceProject.class.getClassLoader().getResourceAsStream(
                "ai/dstack/backend/gcp/internal/gcp-catalog.csv");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reader.lines().filter(l -> !l.startsWith("#") && !l.startsWith("instance_name"))
                    .forEach(l -> names.add(l.substring(0, l.indexOf(','))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return List.copyOf(names);
    }

    private ObjectNode aggregatedTypes(String kind, List<String> names) {
        ObjectNode list = FakeGce.JSON.createObjectNode();
        ObjectNode items = list.putObject("items");
        ZONES.values().forEach(zones -> zones.forEach(zone -> {
            ArrayNode array = items.putObject("zones/" + zone).putArray(kind);
            names.forEach(n -> array.addObject().put("name", n).put("zone", zone)
                    .put("selfLink", base + "/zones/" + zone + "/" + kind + "/" + n));
        }));
        return list;
    }

    /** An aggregated list by zone or region, filtered by {@code labels.k = "v"} terms joined with AND. */
    private ObjectNode aggregated(String kind, List<ObjectNode> resources, String filter) {
        Map<String, String> wanted = new LinkedHashMap<>();
        if (filter != null) {
            Matcher m = LABEL_TERM.matcher(filter);
            while (m.find()) {
                wanted.put(m.group(1), m.group(2));
            }
        }
        ObjectNode list = FakeGce.JSON.createObjectNode();
        ObjectNode items = list.putObject("items");
        for (ObjectNode r : resources) {
            boolean matches = wanted.entrySet().stream().allMatch(e -> e.getValue().equals(
                    r.path("labels").path(e.getKey()).asText(null)));
            if (!matches) {
                continue;
            }
            String scope = r.has("zone") ? "zones/" + last(r.path("zone").asText())
                    : "regions/" + last(r.path("region").asText());
            ObjectNode scoped = items.has(scope) ? (ObjectNode) items.get(scope) : items.putObject(scope);
            (scoped.has(kind) ? (ArrayNode) scoped.get(kind) : scoped.putArray(kind)).add(r);
        }
        return list;
    }

    private static ObjectNode list(String kind, java.util.Collection<ObjectNode> items) {
        ObjectNode list = FakeGce.JSON.createObjectNode().put("kind", kind);
        ArrayNode array = list.putArray("items");
        items.forEach(array::add);
        return list;
    }

    private ObjectNode insertFirewall(ObjectNode body) {
        String name = body.path("name").asText();
        if (firewalls.containsKey(name)) {
            throw new GceError(409, "alreadyExists", "The resource 'projects/" + id + "/global/firewalls/" + name
                    + "' already exists");
        }
        body.put("id", String.valueOf(ids.incrementAndGet())).put("selfLink", base + "/global/firewalls/" + name);
        firewalls.put(name, body);
        return operation("insert", null, null, "global/firewalls/" + name, null, null);
    }

    private ObjectNode insertInstance(String zone, ObjectNode body) {
        String name = body.path("name").asText();
        String type = last(body.path("machineType").asText());
        if (vms.containsKey(name)) {
            throw new GceError(409, "alreadyExists", "The resource 'projects/" + id + "/zones/" + zone
                    + "/instances/" + name + "' already exists");
        }
        if (noCapacity.contains(type + "@" + zone) || noCapacity.contains(type + "@*")
                || noCapacity.contains("*@*")) {
            return operation("insert", zone, null, "zones/" + zone + "/instances/" + name,
                    "ZONE_RESOURCE_POOL_EXHAUSTED", "The zone 'projects/" + id + "/zones/" + zone + "' does not "
                            + "have enough resources available to fulfill the request. Try a different zone, or "
                            + "try again later.");
        }
        if (noQuota.contains(type)) {
            return operation("insert", zone, null, "zones/" + zone + "/instances/" + name, "QUOTA_EXCEEDED",
                    "Quota 'CPUS' exceeded. Limit: 24.0 in region " + zone.substring(0, zone.lastIndexOf('-'))
                            + ".");
        }
        List<String> keys = new ArrayList<>();
        for (JsonNode item : body.path("metadata").path("items")) {
            if (item.path("key").asText().equals("ssh-keys")) {
                for (String line : item.path("value").asText().split("\n")) {
                    if (line.contains(":")) {
                        keys.add(line.substring(line.indexOf(':') + 1));
                    }
                }
            }
        }
        body.put("kind", "compute#instance").put("id", String.valueOf(ids.incrementAndGet()))
                .put("zone", base + "/zones/" + zone).put("status", "PROVISIONING")
                .put("selfLink", base + "/zones/" + zone + "/instances/" + name);
        for (JsonNode disk : body.path("disks")) {
            ((ObjectNode) disk).put("source", base + "/zones/" + zone + "/disks/" + name).put("deviceName", "persistent-disk-0");
        }
        vms.put(name, new Vm(name, zone, body, keys));
        return operation("insert", zone, null, "zones/" + zone + "/instances/" + name, null, null);
    }

    /** PROVISIONING -> STAGING -> RUNNING over successive reads; running, the VM's sshd answers at its address. */
    private ObjectNode getInstance(String zone, String name) {
        Vm vm = vms.get(name);
        if (vm == null || !vm.zone.equals(zone)) {
            throw new GceError(404, "notFound", "The resource 'projects/" + id + "/zones/" + zone + "/instances/"
                    + name + "' was not found");
        }
        synchronized (vm) {
            switch (vm.status()) {
                case "PROVISIONING" -> vm.body.put("status", "STAGING");
                case "STAGING" -> {
                    vm.startSsh();
                    vmStart.accept(vm.ssh());
                    vm.body.put("status", "RUNNING");
                    for (JsonNode nic : vm.body.path("networkInterfaces")) {
                        ((ObjectNode) nic).put("networkIP", vm.ssh.host());
                        for (JsonNode access : nic.path("accessConfigs")) {
                            ((ObjectNode) access).put("natIP", vm.ssh.host());
                        }
                    }
                }
                default -> { }
            }
            return vm.body.deepCopy();
        }
    }

    private ObjectNode deleteInstance(String zone, String name) {
        Vm vm = vms.get(name);
        if (vm == null || !vm.zone.equals(zone)) {
            throw new GceError(404, "notFound", "The resource 'projects/" + id + "/zones/" + zone + "/instances/"
                    + name + "' was not found");
        }
        vms.remove(name);
        vm.stopSsh();
        for (JsonNode d : vm.body.path("disks")) {
            ObjectNode disk = disks.get(last(d.path("source").asText()));
            if (disk != null) {
                disk.remove("users");
            }
        }
        return operation("delete", zone, null, "zones/" + zone + "/instances/" + name, null, null);
    }

    private ObjectNode attachDisk(String zone, String name, ObjectNode attached) {
        Vm vm = vms.get(name);
        ObjectNode disk = disks.get(last(attached.path("source").asText()));
        if (vm == null || disk == null) {
            throw new GceError(404, "notFound", "The resource 'projects/" + id + "/zones/" + zone + "/"
                    + (vm == null ? "instances/" + name : "disks/" + attached.path("source").asText())
                    + "' was not found");
        }
        if (!last(disk.path("zone").asText()).equals(zone)) {
            return operation("attachDisk", zone, null, "zones/" + zone + "/instances/" + name, "RESOURCE_NOT_FOUND",
                    "The disk is in another zone");
        }
        if (disk.has("users")) {
            return operation("attachDisk", zone, null, "zones/" + zone + "/instances/" + name,
                    "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", "The disk resource '" + disk.path("name").asText()
                            + "' is already being used by '" + disk.path("users").get(0).asText() + "'");
        }
        disk.putArray("users").add(vm.body.path("selfLink").asText());
        ((ArrayNode) vm.body.path("disks")).add(attached.deepCopy().put("boot", false));
        return operation("attachDisk", zone, null, "zones/" + zone + "/instances/" + name, null, null);
    }

    private ObjectNode detachDisk(String zone, String name, String deviceName) {
        Vm vm = vms.get(name);
        if (vm == null) {
            throw new GceError(404, "notFound", "The resource 'projects/" + id + "/zones/" + zone + "/instances/"
                    + name + "' was not found");
        }
        ArrayNode attached = (ArrayNode) vm.body.path("disks");
        for (int i = 0; i < attached.size(); i++) {
            if (deviceName.equals(attached.get(i).path("deviceName").asText())) {
                ObjectNode disk = disks.get(last(attached.get(i).path("source").asText()));
                if (disk != null) {
                    disk.remove("users");
                }
                attached.remove(i);
                return operation("detachDisk", zone, null, "zones/" + zone + "/instances/" + name, null, null);
            }
        }
        return operation("detachDisk", zone, null, "zones/" + zone + "/instances/" + name, "INVALID_USAGE",
                "No attached disk found with device name '" + deviceName + "'");
    }

    private ObjectNode insertDisk(String zone, ObjectNode body) {
        String name = body.path("name").asText();
        body.put("kind", "compute#disk").put("id", String.valueOf(ids.incrementAndGet()))
                .put("zone", base + "/zones/" + zone).put("status", "READY")
                .put("selfLink", base + "/zones/" + zone + "/disks/" + name);
        disks.put(name, body);
        return operation("insert", zone, null, "zones/" + zone + "/disks/" + name, null, null);
    }

    private ObjectNode deleteDisk(String zone, String name) {
        ObjectNode disk = found(disks.get(name), "zones/" + zone + "/disks/" + name);
        if (disk.has("users")) {
            return operation("delete", zone, null, "zones/" + zone + "/disks/" + name,
                    "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", "The disk resource '" + name + "' is already being used "
                            + "by '" + disk.path("users").get(0).asText() + "'");
        }
        disks.remove(name);
        return operation("delete", zone, null, "zones/" + zone + "/disks/" + name, null, null);
    }

    private ObjectNode insertPolicy(String region, ObjectNode body) {
        String name = body.path("name").asText();
        body.put("kind", "compute#resourcePolicy").put("region", base + "/regions/" + region)
                .put("selfLink", base + "/regions/" + region + "/resourcePolicies/" + name).put("status", "READY");
        policies.put(name, body);
        return operation("insert", null, region, "regions/" + region + "/resourcePolicies/" + name, null, null);
    }

    private ObjectNode deletePolicy(String region, String name) {
        found(policies.get(name), "regions/" + region + "/resourcePolicies/" + name);
        boolean used = vms.values().stream().anyMatch(v -> v.body.path("resourcePolicies").toString()
                .contains("/resourcePolicies/" + name + "\""));
        if (used) {
            return operation("delete", null, region, "regions/" + region + "/resourcePolicies/" + name,
                    "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", "The resource_policy resource '" + name
                            + "' is already being used by an instance");
        }
        policies.remove(name);
        return operation("delete", null, region, "regions/" + region + "/resourcePolicies/" + name, null, null);
    }

    private ObjectNode routers(String region) {
        ObjectNode list = FakeGce.JSON.createObjectNode().put("kind", "compute#routerList");
        ArrayNode items = list.putArray("items");
        if (natRegions.contains(region)) {
            items.addObject().put("name", "nat-router").put("region", base + "/regions/" + region)
                    .putArray("nats").addObject().put("name", "nat");
        }
        return list;
    }

    /** A new operation, RUNNING; {@code operations.wait} finishes it (with the error, when one is given). */
    private ObjectNode operation(String type, String zone, String region, String target, String errorCode,
            String errorMessage) {
        String name = "operation-" + ids.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        ObjectNode op = FakeGce.JSON.createObjectNode().put("kind", "compute#operation")
                .put("id", String.valueOf(ids.incrementAndGet())).put("name", name).put("operationType", type)
                .put("targetLink", base + "/" + target).put("status", "RUNNING").put("progress", 0);
        String scope = zone != null ? "zones/" + zone : region != null ? "regions/" + region : "global";
        if (zone != null) {
            op.put("zone", base + "/zones/" + zone);
        } else if (region != null) {
            op.put("region", base + "/regions/" + region);
        }
        op.put("selfLink", base + "/" + scope + "/operations/" + name);
        if (errorCode != null) {
            op.put("pendingErrorCode", errorCode).put("pendingErrorMessage", errorMessage);
        }
        operations.put(name, op);
        return op.deepCopy().without(List.of("pendingErrorCode", "pendingErrorMessage"));
    }

    private ObjectNode finish(String name) {
        ObjectNode op = found(operations.get(name), "operations/" + name);
        synchronized (op) {
            op.put("status", "DONE").put("progress", 100);
            if (op.has("pendingErrorCode")) {
                op.putObject("error").putArray("errors").addObject().put("code", op.path("pendingErrorCode").asText())
                        .put("message", op.path("pendingErrorMessage").asText());
                op.put("httpErrorStatusCode", 400).put("httpErrorMessage", "BAD REQUEST");
                op.remove(List.of("pendingErrorCode", "pendingErrorMessage"));
            }
            return op.deepCopy();
        }
    }

    private static String last(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    void close() {
        vms.values().forEach(Vm::stopSsh);
        tpus.values().forEach(t -> t.ssh.stop());
    }
}
