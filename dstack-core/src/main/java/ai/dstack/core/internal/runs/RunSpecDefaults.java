package ai.dstack.core.internal.runs;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.ConfigurationType;
import ai.dstack.api.configuration.MountPoint;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.ProfileRetry;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.repo.RunRepoData;
import ai.dstack.api.resources.GpuVendor;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.RunSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * dstack's server-side checks and defaults for a submitted run spec ({@code validate_run_spec_and_set_defaults}):
 * the run name, retry and utilization limits, volume paths, the repo, service probes and schedules, GPU and CPU
 * requirements against the image, the SSH key. Configuration defaults (priority, nodes, the GPU spec) are set on the
 * configuration's wire form and read back, so the result is exactly what a stored spec reads as.
 */
public final class RunSpecDefaults {
    /** dstack's rule for run (and other resource) names. */
    public static final Pattern RESOURCE_NAME = Pattern.compile("^[a-z][a-z0-9-]{1,40}$");
    /** The repo id of runs without a repo. */
    public static final String VIRTUAL_REPO_ID = "none";
    static final int DEFAULT_PRIORITY = 0;
    private static final Pattern DOCKER_TARGET_PATH = Pattern.compile("^(/[^/\\x00]*)+/?$");

    /**
     * The server settings these checks read.
     *
     * @param maxUtilizationTimeWindow seconds; dstack's {@code SERVER_METRICS_RUNNING_TTL_SECONDS}
     * @param maxProbesPerJob dstack's {@code DSTACK_SERVER_MAX_PROBES_PER_JOB}
     * @param maxProbeTimeout seconds; dstack's {@code DSTACK_SERVER_MAX_PROBE_TIMEOUT}
     */
    public record Limits(long maxUtilizationTimeWindow, int maxProbesPerJob, long maxProbeTimeout) {
        public static final Limits DSTACK = new Limits(3600, 10, 300);
    }

    private final Limits limits;

    public RunSpecDefaults(Limits limits) {
        this.limits = Objects.requireNonNull(limits, "limits is null");
    }

    public RunSpecDefaults() {
        this(Limits.DSTACK);
    }

    /**
     * The spec with dstack's server defaults set.
     *
     * @param userSshPublicKey the submitting user's public key, used when the spec has none; may be null
     * @throws DstackException {@link ErrorCode#ERROR} with dstack's message for every rule it breaks first;
     *     {@link ErrorCode#INVALID_REQUEST} for a spec without a configuration
     */
    public RunSpec apply(RunSpec spec, String userSshPublicKey) {
        if (spec.configuration() == null) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "run_spec.configuration: field required");
        }
        if (spec.runName() != null && !RESOURCE_NAME.matcher(spec.runName()).matches()) {
            throw error("Resource name should match regex '" + RESOURCE_NAME.pattern() + "'");
        }
        ProfileParams profile = MergedProfile.of(spec).params();
        if (profile.retry() instanceof ProfileRetry retry && retry.duration() != null && retry.duration() < 0) {
            throw error("retry.duration cannot be negative");
        }
        ConfigurationTree tree = ConfigurationTree.of(spec.configuration());
        validateGroupsIpRefs(tree);
        for (MountPoint mount : spec.configuration().base().volumes()) {
            if (!isValidDockerVolumeTarget(mount.path())) {
                throw error("Invalid volume mount path: " + mount.path());
            }
        }
        if (spec.repoId() == null && spec.repoData() != null) {
            throw error("repo_data must not be set if repo_id is not set");
        }
        if (spec.repoId() != null && spec.repoData() == null) {
            throw error("repo_id must not be set if repo_data is not set");
        }
        if (profile.utilizationPolicy() != null && profile.utilizationPolicy().timeWindow() > limits.maxUtilizationTimeWindow()) {
            throw error("Maximum utilization_policy.time_window is " + limits.maxUtilizationTimeWindow() + "s");
        }
        if (tree.type() == ConfigurationType.SERVICE) {
            validateService(tree, profile);
        }
        ObjectNode conf = tree.node();
        if (isNull(conf.get("priority"))) {
            conf.put("priority", DEFAULT_PRIORITY);
        }
        if (tree.type() == ConfigurationType.TASK && isNull(conf.get("groups")) && isNull(conf.get("nodes"))) {
            // Stored as 1, like runs of older servers and clients.
            conf.put("nodes", 1);
        }
        setResourcesDefaults(tree);
        validateGpuVendorAndImage(tree);
        validateCpuArchAndImage(tree);
        String sshKeyPub = spec.sshKeyPub();
        if (sshKeyPub == null) {
            if (userSshPublicKey == null || userSshPublicKey.isEmpty()) {
                throw error("ssh_key_pub must be set if the user has no ssh_public_key");
            }
            sshKeyPub = userSshPublicKey;
        }
        RunConfiguration configuration = tree.toConfiguration();
        return spec.toBuilder()
                .repoId(spec.repoId() != null ? spec.repoId() : VIRTUAL_REPO_ID)
                .repoData(spec.repoData() != null ? spec.repoData() : RunRepoData.virtual())
                .configuration(configuration)
                .sshKeyPub(sshKeyPub)
                .build();
    }

    /** Docker's rule for a mount target: absolute, no trailing slash (but {@code /}), no NUL. */
    static boolean isValidDockerVolumeTarget(String path) {
        if (!path.startsWith("/")) {
            return false;
        }
        if (path.endsWith("/") && !path.equals("/")) {
            return false;
        }
        return DOCKER_TARGET_PATH.matcher(path).matches();
    }

    private void validateService(ConfigurationTree tree, ProfileParams profile) {
        if (profile.schedule() != null && tree.serviceGroups().stream().allMatch(g -> g.minReplicas() == 0)) {
            throw error("Scheduled services with autoscaling to zero are not supported");
        }
        List<JsonNode> probes = tree.probeNodes();
        if (probes.size() > limits.maxProbesPerJob()) {
            throw error("Cannot configure more than " + limits.maxProbesPerJob() + " probes");
        }
        for (JsonNode probe : probes) {
            JsonNode timeout = probe.get("timeout");
            if (timeout != null && !timeout.isNull() && timeout.asLong() > limits.maxProbeTimeout()) {
                throw error("Probe timeout cannot be longer than " + limits.maxProbeTimeout() + "s");
            }
        }
    }

    // --- groups IP references -------------------------------------------------------------------------------------

    private static void validateGroupsIpRefs(ConfigurationTree tree) {
        JsonNode env = tree.node().path("env");
        env.properties().forEach(e -> {
            if (e.getValue().isTextual() && GroupsIpRefs.containsAny(e.getValue().textValue())) {
                throw error("groups IP references are only supported in commands, not in `env`");
            }
        });
        List<String> commands = commands(tree);
        commands.forEach(GroupsIpRefs::validate);
        if (tree.type() == ConfigurationType.TASK) {
            commands.forEach(c -> GroupsIpRefs.validateMember(c, "nodes"));
            List<Integer> sizes = taskGroupNodes(tree);
            commands.forEach(c -> GroupsIpRefs.validateBounds(c, sizes, "nodes"));
        } else if (tree.type() == ConfigurationType.SERVICE) {
            commands.forEach(c -> GroupsIpRefs.validateMember(c, "replicas"));
            List<Integer> sizes = tree.serviceGroups().stream().map(ConfigurationTree.ServiceGroup::minReplicas).toList();
            commands.forEach(c -> GroupsIpRefs.validateBounds(c, sizes, "replicas"));
        }
    }

    /** Every command the configuration runs: node groups' for tasks; top-level, init and replica groups' otherwise. */
    private static List<String> commands(ConfigurationTree tree) {
        List<String> out = new ArrayList<>();
        if (tree.type() == ConfigurationType.TASK) {
            List<ObjectNode> groups = taskGroups(tree);
            if (groups == null) {
                out.addAll(tree.strings("commands"));
            } else {
                groups.forEach(g -> out.addAll(ConfigurationTree.strings(g.get("commands"))));
            }
            return out;
        }
        out.addAll(tree.strings("commands"));
        out.addAll(tree.strings("init"));
        if (tree.type() == ConfigurationType.SERVICE) {
            tree.serviceGroups().forEach(g -> out.addAll(g.group().shellCommands()));
        }
        return out;
    }

    private static List<ObjectNode> taskGroups(ConfigurationTree tree) {
        JsonNode groups = tree.node().get("groups");
        if (groups == null || !groups.isArray()) {
            return null;
        }
        List<ObjectNode> out = new ArrayList<>();
        groups.forEach(g -> out.add((ObjectNode) g));
        return out;
    }

    private static List<Integer> taskGroupNodes(ConfigurationTree tree) {
        List<ObjectNode> groups = taskGroups(tree);
        if (groups == null) {
            JsonNode nodes = tree.node().get("nodes");
            return List.of(isNull(nodes) ? 1 : nodes.intValue());
        }
        return groups.stream().map(g -> isNull(g.get("nodes")) ? 1 : g.get("nodes").intValue()).toList();
    }

    // --- resources ------------------------------------------------------------------------------------------------

    /** A resources spec with the image and docker setting its group runs with. */
    private record GroupResources(ObjectNode resources, String image, boolean docker) {}

    /** The top-level resources, then each service replica group's or task node group's, as dstack visits them. */
    private static List<GroupResources> groupResources(ConfigurationTree tree) {
        ObjectNode conf = tree.node();
        String image = ConfigurationTree.text(conf.get("image"));
        boolean docker = Boolean.TRUE.equals(ConfigurationTree.bool(conf.get("docker")));
        List<GroupResources> out = new ArrayList<>();
        if (tree.type() == ConfigurationType.SERVICE && tree.serviceGroupNodes() != null) {
            for (ObjectNode group : tree.serviceGroupNodes()) {
                String groupImage = ConfigurationTree.text(group.get("image"));
                Boolean groupDocker = ConfigurationTree.bool(group.get("docker"));
                out.add(new GroupResources(resourcesNode(group), groupImage != null ? groupImage : image,
                        groupDocker != null ? groupDocker : docker));
            }
        } else if (tree.type() == ConfigurationType.TASK && taskGroups(tree) != null) {
            for (ObjectNode group : taskGroups(tree)) {
                out.add(new GroupResources(resourcesNode(group), image, docker));
            }
        }
        return out;
    }

    private static ObjectNode resourcesNode(ObjectNode owner) {
        JsonNode resources = owner.get("resources");
        if (resources instanceof ObjectNode object) {
            return object;
        }
        // An absent spec means dstack's default one, which then gets the defaults below.
        ObjectNode defaults = DstackJson.mapper().valueToTree(ResourcesSpec.DEFAULT);
        owner.set("resources", defaults);
        return defaults;
    }

    private static void setResourcesDefaults(ConfigurationTree tree) {
        ObjectNode conf = tree.node();
        setGpuDefaults(resourcesNode(conf), ConfigurationTree.text(conf.get("image")),
                Boolean.TRUE.equals(ConfigurationTree.bool(conf.get("docker"))));
        for (GroupResources group : groupResources(tree)) {
            setGpuDefaults(group.resources(), group.image(), group.docker());
        }
    }

    /**
     * {@code gpu} null becomes "no GPU required"; a missing vendor is inferred: NVIDIA for the default image when no
     * names are given, or the one vendor all named models belong to.
     */
    private static void setGpuDefaults(ObjectNode resources, String image, boolean docker) {
        if (isNull(resources.get("gpu"))) {
            ObjectNode gpu = resources.putObject("gpu");
            gpu.putNull("vendor");
            gpu.putNull("name");
            gpu.putObject("count").put("min", 0).putNull("max");
            gpu.putNull("memory");
            gpu.putNull("total_memory");
            gpu.putNull("compute_capability");
        }
        ObjectNode gpu = (ObjectNode) resources.get("gpu");
        if (!isNull(gpu.get("vendor")) || countMax(gpu) == 0) {
            return;
        }
        List<String> names = ConfigurationTree.strings(gpu.get("name"));
        if (names.isEmpty()) {
            if (image == null && !docker) {
                gpu.put("vendor", GpuVendor.NVIDIA.wireValue());
            }
            return;
        }
        Set<GpuVendor> vendors = new HashSet<>();
        boolean unknown = false;
        for (String name : names) {
            Set<GpuVendor> known = KnownAccelerators.vendorsOf(name);
            unknown |= known.isEmpty();
            vendors.addAll(known);
        }
        // Several vendors, or a model nobody knows: match by names only.
        if (vendors.size() == 1 && !unknown) {
            gpu.put("vendor", vendors.iterator().next().wireValue());
        }
    }

    private static void validateGpuVendorAndImage(ConfigurationTree tree) {
        Set<GpuVendor> vendors = EnumSet.noneOf(GpuVendor.class);
        List<Integer> invalidGroups = new ArrayList<>();
        List<GroupResources> groups = groupResources(tree);
        if (!groups.isEmpty()) {
            for (int i = 0; i < groups.size(); i++) {
                GroupResources group = groups.get(i);
                Set<GpuVendor> needImage = vendorsRequiringImage(group.resources().get("gpu"), group.image(), group.docker());
                if (!needImage.isEmpty()) {
                    vendors.addAll(needImage);
                    invalidGroups.add(i);
                }
            }
        } else {
            ObjectNode conf = tree.node();
            vendors.addAll(vendorsRequiringImage(conf.path("resources").get("gpu"), ConfigurationTree.text(conf.get("image")),
                    Boolean.TRUE.equals(ConfigurationTree.bool(conf.get("docker")))));
        }
        if (!vendors.isEmpty()) {
            List<String> names = vendors.stream().map(GpuVendor::wireValue).sorted().toList();
            String message = "`image` must be set when the requested accelerator is not supported by the default image: "
                    + Interpolation.pythonList(names);
            throw error(invalidGroups.isEmpty() ? message : "groups" + invalidGroups.toString() + ": " + message);
        }
    }

    /** The requested vendors the default image cannot serve: NVIDIA works, Google TPUs need nothing preinstalled. */
    private static Set<GpuVendor> vendorsRequiringImage(JsonNode gpu, String image, boolean docker) {
        Set<GpuVendor> vendors = EnumSet.noneOf(GpuVendor.class);
        if (image != null || docker || isNull(gpu) || countMax(gpu) == 0) {
            return vendors;
        }
        if (!isNull(gpu.get("vendor"))) {
            vendors.add(GpuVendor.cast(gpu.get("vendor").asText()));
        } else {
            // Unknown models are let through rather than forcing an image on them.
            ConfigurationTree.strings(gpu.get("name")).forEach(n -> vendors.addAll(KnownAccelerators.vendorsOf(n)));
        }
        vendors.remove(GpuVendor.NVIDIA);
        vendors.remove(GpuVendor.GOOGLE);
        return vendors;
    }

    private static void validateCpuArchAndImage(ConfigurationTree tree) {
        String imageMessage = "`image` must be set when ARM CPU requested";
        String dockerMessage = "`docker: true` is not supported on ARM CPU";
        List<GroupResources> groups = groupResources(tree);
        if (groups.isEmpty()) {
            ObjectNode conf = tree.node();
            if (isArm(conf.path("resources"))) {
                if (Boolean.TRUE.equals(ConfigurationTree.bool(conf.get("docker")))) {
                    throw error(dockerMessage);
                }
                if (isNull(conf.get("image"))) {
                    throw error(imageMessage);
                }
            }
            return;
        }
        List<Integer> withoutImage = new ArrayList<>();
        List<Integer> withDocker = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            GroupResources group = groups.get(i);
            if (isArm(group.resources())) {
                if (group.docker()) {
                    withDocker.add(i);
                } else if (group.image() == null) {
                    withoutImage.add(i);
                }
            }
        }
        List<String> errors = new ArrayList<>();
        if (!withoutImage.isEmpty()) {
            errors.add("groups" + withoutImage + ": " + imageMessage);
        }
        if (!withDocker.isEmpty()) {
            errors.add("groups" + withDocker + ": " + dockerMessage);
        }
        if (!errors.isEmpty()) {
            throw error(String.join("\n", errors));
        }
    }

    private static boolean isArm(JsonNode resources) {
        return "arm".equals(resources.path("cpu").path("arch").asText(null));
    }

    private static int countMax(JsonNode gpu) {
        JsonNode max = gpu.path("count").get("max");
        return isNull(max) ? -1 : max.intValue();
    }

    private static boolean isNull(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode();
    }

    private static DstackException error(String message) {
        return new DstackException(ErrorCode.ERROR, message);
    }
}
