package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.ValueParser;

import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.Blocks;
import ai.dstack.api.configuration.Env;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.FleetNodes;
import ai.dstack.api.configuration.FleetPlacement;
import ai.dstack.api.configuration.RetrySpec;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.configuration.SshHost;
import ai.dstack.api.configuration.SshKey;
import ai.dstack.api.configuration.SshParams;
import ai.dstack.api.configuration.SshProxy;
import ai.dstack.api.resources.ResourcesSpec;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** Reads {@code type: fleet}: cloud fleets ({@code nodes: 0..2}, resources, ...) and SSH fleets ({@code ssh_config}). */
public final class FleetReader {
    private static final ValueParser<FleetPlacement> PLACEMENT =
            Coerce.oneOf(FleetPlacement.wireValues(), FleetPlacement::fromWireValue);
    private static final ValueParser<Integer> POSITIVE = Coerce.bounded(Coerce::integer, 1.0, null, null);

    private FleetReader() {}

    /** The fields in dstack's order: common, then cloud, then SSH. */
    public static FleetConfiguration fleet(MappingReader o) {
        ReadContext ctx = o.ctx();
        int mark = ctx.mark();
        o.accept("type");
        String name = o.opt("name", Coerce::string);
        FleetPlacement placement = o.opt("placement", PLACEMENT);
        Blocks blocks = o.get("blocks", FleetReader::blocks, Blocks.ONE);
        FleetNodes nodes = o.opt("nodes", FleetReader::nodes);
        String reservation = o.opt("reservation", Coerce::string);
        ResourcesSpec resources = o.opt("resources", ResourcesReader::resources);
        List<BackendType> backends = o.opt("backends", ProfileReader.BACKENDS);
        List<String> regions = o.opt("regions", ProfileReader.STRINGS);
        List<String> zones = o.opt("availability_zones", ProfileReader.STRINGS);
        List<String> instanceTypes = o.opt("instance_types", ProfileReader.STRINGS);
        SpotPolicy spotPolicy = o.opt("spot_policy", ProfileReader.SPOT_POLICY);
        RetrySpec retry = o.opt("retry", ProfileReader::retry);
        Double maxPrice = o.opt("max_price", ProfileReader.MAX_PRICE);
        Long idleDuration = ProfileReader.idleDuration(o, "idle_duration");
        Map<String, String> tags = o.opt("tags", ProfileReader::tags);
        List<Map<String, Object>> backendOptions = o.opt("backend_options", ProfileReader::backendOptions);
        SshParams ssh = o.opt("ssh_config", FleetReader::sshParams);
        Env env = o.get("env", RunConfigurationReader::env, Env.EMPTY);
        o.finish();
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        return new FleetConfiguration(name, placement, blocks, nodes, reservation, resources, backends, regions, zones,
                instanceTypes, spotPolicy, retry, maxPrice, idleDuration, tags, backendOptions, ssh, env);
    }

    /** {@code auto} or a whole number of at least 1; a failure reports both alternatives, as pydantic does. */
    static Blocks blocks(ReadContext ctx, YamlValue value, String loc) {
        if ("auto".equals(Coerce.scalar(value))) {
            return Blocks.AUTO;
        }
        int mark = ctx.mark();
        Integer count = POSITIVE.parse(ctx, value, loc);
        if (count == null) {
            List<ValidationError> intErrors = ctx.rollback(mark);
            ctx.error(loc, value, "Input should be 'auto'");
            ctx.addAll(intErrors);
            return null;
        }
        return Blocks.of(count);
    }

    /**
     * {@code nodes}: {@code 2} (exactly two), {@code "0..2"}, {@code "1.."}, or {@code {min, target, max}} where
     * {@code min} defaults to 0 and {@code target} to {@code min}.
     */
    static FleetNodes nodes(ReadContext ctx, YamlValue value, String loc) {
        int mark = ctx.mark();
        Object v = Coerce.scalar(value);
        YamlValue min;
        YamlValue target = null;
        YamlValue max;
        if (v instanceof String s && s.contains("..")) {
            String[] parts = s.replace(" ", "").split("\\.\\.", -1);
            if (parts.length != 2) {
                ctx.valueError(loc, value, "too many values to unpack (expected 2)");
                return null;
            }
            min = parts[0].isEmpty() ? null : ResourcesReader.derived(value, parts[0]);
            max = parts[1].isEmpty() ? null : ResourcesReader.derived(value, parts[1]);
        } else if (v instanceof String || v instanceof Long || v instanceof BigInteger || v instanceof Boolean) {
            min = value;
            max = value;
        } else if (value instanceof YamlValue.Mapping) {
            MappingReader o = MappingReader.of(ctx, value, loc);
            min = o.raw("min");
            target = o.raw("target");
            max = o.raw("max");
            o.finish(); // unknown keys are reported, and the known ones still checked below
        } else {
            ctx.error(loc, value, "Input should be a valid dictionary or instance of FleetNodesSpec");
            return null;
        }
        min = absent(min) ? null : min;
        target = absent(target) ? min : target;
        Integer lo = min == null ? Integer.valueOf(0) : Coerce.integer(ctx, min, ReadContext.child(loc, "min"));
        if (lo != null && lo < 0) {
            ctx.valueError(ReadContext.child(loc, "min"), min, "min cannot be negative");
        }
        Integer goal = target == null ? lo : Coerce.integer(ctx, target, ReadContext.child(loc, "target"));
        Integer hi = absent(max) ? null : Coerce.integer(ctx, max, ReadContext.child(loc, "max"));
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        String problem = null;
        if (goal < lo) {
            problem = "target must not be be less than min"; // sic: dstack's wording
        } else if (hi != null && hi < lo) {
            problem = "max must not be less than min";
        } else if (hi != null && hi < goal) {
            problem = "max must not be less than target";
        }
        if (problem != null) {
            ctx.valueError(loc, value, problem);
            return null;
        }
        return new FleetNodes(lo, goal, hi);
    }

    private static boolean absent(YamlValue value) {
        return value == null || value.isNullScalar();
    }

    /** A nested model: a mapping, or pydantic's message naming the model. */
    private static MappingReader model(ReadContext ctx, YamlValue value, String loc, String modelName) {
        if (!(value instanceof YamlValue.Mapping)) {
            ctx.error(loc, value, "Input should be a valid dictionary or instance of " + modelName);
            return null;
        }
        return MappingReader.of(ctx, value, loc);
    }

    static SshParams sshParams(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = model(ctx, value, loc, "SSHParams");
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String user = o.opt("user", Coerce::string);
        Integer port = o.opt("port", Coerce::integer);
        String identityFile = o.opt("identity_file", Coerce::string);
        SshKey sshKey = o.opt("ssh_key", FleetReader::sshKey);
        SshProxy proxyJump = o.opt("proxy_jump", FleetReader::sshProxy);
        List<SshHost> hosts = o.req("hosts", Coerce.listOf(FleetReader::host));
        String network = o.opt("network", FleetReader::network);
        o.finish();
        return ctx.cleanSince(mark) ? new SshParams(user, port, identityFile, sshKey, proxyJump, hosts, network) : null;
    }

    /** A host: its name or address (numbers become text), or a mapping that overrides the shared settings. */
    static SshHost host(ReadContext ctx, YamlValue value, String loc) {
        if (value instanceof YamlValue.Mapping) {
            return hostParams(ctx, value, loc);
        }
        Object v = Coerce.scalar(value);
        if (v instanceof String || v instanceof Number) {
            String hostname = Coerce.string(ctx, value, loc);
            return hostname == null ? null : SshHost.of(hostname);
        }
        ctx.error(loc, value, "Input should be a valid string (a hostname) or a dictionary of host parameters (SSHHostParams)");
        return null;
    }

    private static SshHost hostParams(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        int mark = ctx.mark();
        String hostname = o.req("hostname", Coerce::string);
        Integer port = o.opt("port", Coerce::integer);
        String user = o.opt("user", Coerce::string);
        String identityFile = o.opt("identity_file", Coerce::string);
        SshProxy proxyJump = o.opt("proxy_jump", FleetReader::sshProxy);
        String internalIp = o.opt("internal_ip", FleetReader::internalIp);
        SshKey sshKey = o.opt("ssh_key", FleetReader::sshKey);
        Blocks blocks = o.opt("blocks", FleetReader::blocks);
        o.finish();
        return ctx.cleanSince(mark)
                ? new SshHost(hostname, port, user, identityFile, proxyJump, internalIp, sshKey, blocks, false)
                : null;
    }

    static SshProxy sshProxy(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = model(ctx, value, loc, "SSHProxyParams");
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String hostname = o.req("hostname", Coerce::string);
        Integer port = o.opt("port", Coerce::integer);
        String user = o.req("user", Coerce::string);
        String identityFile = o.req("identity_file", Coerce::string);
        SshKey sshKey = o.opt("ssh_key", FleetReader::sshKey);
        o.finish();
        return ctx.cleanSince(mark) ? new SshProxy(hostname, port, user, identityFile, sshKey) : null;
    }

    static SshKey sshKey(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = model(ctx, value, loc, "SSHKey");
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String publicKey = o.req("public", Coerce::string);
        String privateKey = o.opt("private", Coerce::string);
        o.finish();
        return ctx.cleanSince(mark) ? new SshKey(publicKey, privateKey) : null;
    }

    /** A private IPv4 or IPv6 address, as Python's {@code ipaddress} reads it. */
    static String internalIp(ReadContext ctx, YamlValue value, String loc) {
        String text = Coerce.string(ctx, value, loc);
        if (text == null) {
            return null;
        }
        PythonIp.Address address = PythonIp.address(text);
        if (address == null) {
            ctx.valueError(loc, value, "Invalid IP address");
            return null;
        }
        if (!PythonIp.isPrivate(address)) {
            ctx.valueError(loc, value, "IP address is not private");
            return null;
        }
        return text;
    }

    /** A private network, {@code <ip>/<prefix or netmask>}; host bits may be set. */
    static String network(ReadContext ctx, YamlValue value, String loc) {
        String text = Coerce.string(ctx, value, loc);
        if (text == null) {
            return null;
        }
        PythonIp.Net network = PythonIp.network(text);
        if (network == null) {
            ctx.valueError(loc, value, "Failed to parse network: " + text);
            return null;
        }
        if (!PythonIp.isPrivate(network)) {
            ctx.valueError(loc, value, "Public network is specified when private network is required");
            return null;
        }
        return text;
    }
}
