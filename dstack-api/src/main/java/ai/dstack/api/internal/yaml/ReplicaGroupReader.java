package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;

import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.PythonVersion;
import ai.dstack.api.configuration.ReplicaGroup;
import ai.dstack.api.configuration.ReplicaGroupRouter;
import ai.dstack.api.configuration.RouterType;
import ai.dstack.api.configuration.RunBase;
import ai.dstack.api.configuration.ScalingSpec;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Reads the replica groups of a heterogeneous service and checks them against the service-level fields. */
final class ReplicaGroupReader {
    // Python's re.match: `$` also matches before a final newline.
    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,39}$", Pattern.UNIX_LINES);

    private ReplicaGroupReader() {}

    static List<ReplicaGroup> groups(ReadContext ctx, YamlValue value, String loc) {
        List<ReplicaGroup> groups = Coerce.listOf(ReplicaGroupReader::group).parse(ctx, value, loc);
        if (groups == null) {
            return null;
        }
        if (groups.isEmpty()) {
            ctx.valueError(loc, value, "`groups` cannot be an empty list");
            return null;
        }
        List<ReplicaGroup> named = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            ReplicaGroup g = groups.get(i);
            ReplicaGroup n = g.name() != null ? g : new ReplicaGroup(Integer.toString(i), g.replicas(), g.scaling(),
                    g.resources(), g.spotPolicy(), g.reservation(), g.commands(), g.image(), g.python(), g.nvcc(),
                    g.docker(), g.privileged(), g.router());
            if (!seen.add(n.name()) && !duplicates.contains(n.name())) {
                duplicates.add(n.name());
            }
            named.add(n);
        }
        if (!duplicates.isEmpty()) {
            ctx.valueError(loc, value, "Duplicate replica group names found: " + RunConfigurationReader.pythonList(duplicates)
                    + ". Each replica group must have a unique name.");
            return null;
        }
        return named;
    }

    static ReplicaGroup group(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String name = o.opt("name", ReplicaGroupReader::name);
        // `count` is another name for `replicas` (the one dstack writes); given both, dstack drops `count`.
        YamlValue rawReplicas = o.has("replicas") ? o.raw("replicas") : o.raw("count");
        o.accept("replicas", "count");
        Range<Integer> replicas = null;
        if (rawReplicas == null) {
            ctx.error(o.loc("replicas"), o.value(), "Field required");
        } else {
            replicas = ServiceReader.replicaRange(ctx, rawReplicas, o.loc("replicas"));
        }
        ScalingSpec scaling = o.opt("scaling", ServiceReader::scaling);
        ResourcesSpec resources = o.get("resources", ResourcesReader::resources, ResourcesSpec.DEFAULT);
        SpotPolicy spotPolicy = o.opt("spot_policy", ProfileReader.SPOT_POLICY);
        String reservation = o.opt("reservation", Coerce::string);
        List<String> commands = o.get("commands", RunConfigurationReader.COMMANDS, List.of());
        String image = o.opt("image", Coerce::string);
        boolean hasImage = image != null && !image.isEmpty();
        PythonVersion python;
        if (!isNull(o.raw("python")) && hasImage) {
            ctx.valueError(o.loc("python"), o.raw("python"), "`image` and `python` are mutually exclusive within a replica group");
            python = null;
        } else {
            python = o.opt("python", RunConfigurationReader::python);
        }
        Boolean nvcc = o.opt("nvcc", Coerce::bool);
        Boolean docker = o.opt("docker", (c, v, l) -> {
            if (Boolean.TRUE.equals(Coerce.scalar(v))) {
                String other = hasImage ? "image" : python != null ? "python" : Boolean.TRUE.equals(nvcc) ? "nvcc" : null;
                if (other != null) {
                    c.valueError(l, v, "`" + other + "` and `docker` are mutually exclusive within a replica group");
                    return null;
                }
            }
            return Coerce.bool(c, v, l);
        });
        Boolean privileged = o.opt("privileged", (c, v, l) -> {
            if (Boolean.FALSE.equals(Coerce.scalar(v)) && Boolean.TRUE.equals(docker)) {
                c.valueError(l, v, "`privileged: false` is incompatible with `docker: true` within a replica group "
                        + "(docker-in-docker requires privileged mode)");
                return null;
            }
            return Coerce.bool(c, v, l);
        });
        ReplicaGroupRouter router = o.opt("router", ReplicaGroupReader::router);
        o.finish();
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        String problem = ServiceReader.scalingProblem(replicas, scaling);
        if (problem != null) {
            ctx.valueError(loc, value, problem);
            return null;
        }
        return new ReplicaGroup(name, replicas, scaling, resources, spotPolicy, reservation, commands, image, python,
                nvcc, docker, privileged, router);
    }

    private static boolean isNull(YamlValue value) {
        return value == null || value.isNullScalar();
    }

    private static String name(ReadContext ctx, YamlValue value, String loc) {
        String name = Coerce.string(ctx, value, loc);
        if (name != null && !NAME.matcher(name).find()) {
            ctx.valueError(loc, value, "Resource name should match regex '^[a-z0-9][a-z0-9-]{0,39}$'");
            return null;
        }
        return name;
    }

    private static ReplicaGroupRouter router(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        RouterType type = o.get("type", Coerce.oneOf(RouterType.wireValues(), RouterType::fromWireValue), RouterType.SGLANG);
        o.finish();
        return ctx.cleanSince(mark) ? new ReplicaGroupRouter(type) : null;
    }

    /**
     * dstack's checks of valid groups against the service: no top-level scaling or commands, a field set in one
     * place only, no conflicting image sources, something to run in each group, at most one router group.
     * Returns the first problem, or null.
     */
    static String conflictWithService(List<ReplicaGroup> groups, RunBase base, ProfileParams profile,
            List<String> commands, ScalingSpec scaling) {
        if (scaling != null) {
            return "Top-level `scaling` is not allowed when `groups` is set. Specify `scaling` in each replica group instead.";
        }
        if (!commands.isEmpty()) {
            return "Top-level `commands` is not allowed when `groups` is set. Specify `commands` in each replica group instead.";
        }
        boolean image = base.image() != null;
        boolean docker = Boolean.TRUE.equals(base.docker());
        boolean python = base.python() != null;
        boolean nvcc = Boolean.TRUE.equals(base.nvcc());
        List<Check> both = List.of(
                new Check("image", image, g -> g.image() != null),
                new Check("docker", docker, g -> g.docker() != null),
                new Check("privileged", base.privileged(), g -> g.privileged() != null),
                new Check("python", python, g -> g.python() != null),
                new Check("nvcc", nvcc, g -> g.nvcc() != null),
                new Check("spot_policy", profile.spotPolicy() != null, g -> g.spotPolicy() != null),
                new Check("reservation", profile.reservation() != null, g -> g.reservation() != null));
        for (Check check : both) {
            List<String> conflicting = check.conflicting(groups);
            if (!conflicting.isEmpty()) {
                return "`" + check.field + "` is set at both the service level and in replica group(s) "
                        + RunConfigurationReader.pythonList(conflicting) + ". Set `" + check.field
                        + "` in one place only — either at the service level (all groups inherit) or per group, but not both.";
            }
        }
        String[][] exclusive = {
                {"image", "docker"}, {"image", "python"}, {"image", "nvcc"},
                {"docker", "image"}, {"docker", "python"}, {"docker", "nvcc"},
                {"python", "image"}, {"python", "docker"},
                {"nvcc", "image"}, {"nvcc", "docker"}};
        for (String[] pair : exclusive) {
            boolean serviceSet = switch (pair[0]) {
                case "image" -> image;
                case "docker" -> docker;
                case "python" -> python;
                default -> nvcc;
            };
            List<String> conflicting = new Check(pair[1], serviceSet, g -> groupSets(g, pair[1])).conflicting(groups);
            if (!conflicting.isEmpty()) {
                return "Service-level `" + pair[0] + "` conflicts with group-level `" + pair[1] + "` in replica group(s) "
                        + RunConfigurationReader.pythonList(conflicting) + ". These image-source fields are mutually exclusive.";
            }
        }
        for (ReplicaGroup g : groups) {
            if (g.commands().isEmpty() && g.image() == null && !image) {
                return "Replica group '" + g.name() + "': either `commands` or `image` must be set in the group, "
                        + "or `image` at the service level.";
            }
        }
        List<ReplicaGroup> routers = groups.stream().filter(g -> g.router() != null).toList();
        if (routers.size() > 1) {
            return "At most one replica group may specify `router`.";
        }
        if (!routers.isEmpty() && !routers.get(0).replicas().equals(Range.exactly(1))) {
            return "For now replica group with `router` must have `replicas: 1`.";
        }
        return null;
    }

    private static boolean groupSets(ReplicaGroup g, String field) {
        return switch (field) {
            case "image" -> g.image() != null;
            case "docker" -> g.docker() != null;
            case "python" -> g.python() != null;
            default -> g.nvcc() != null;
        };
    }

    private record Check(String field, boolean serviceSet, Predicate<ReplicaGroup> groupSet) {
        List<String> conflicting(List<ReplicaGroup> groups) {
            if (!serviceSet) {
                return List.of();
            }
            return groups.stream().filter(groupSet).map(ReplicaGroup::name).toList();
        }
    }
}
