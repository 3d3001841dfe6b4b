package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.ValueParser;
import ai.dstack.api.yaml.reading.PythonText;

import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.EntityReference;
import ai.dstack.api.configuration.PortMapping;
import ai.dstack.api.configuration.ProbeConfig;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.RateLimit;
import ai.dstack.api.configuration.ReplicaGroup;
import ai.dstack.api.configuration.RunBase;
import ai.dstack.api.configuration.ScalingSpec;
import ai.dstack.api.configuration.ServiceConfiguration;
import ai.dstack.api.configuration.ServiceGateway;
import ai.dstack.api.configuration.ServiceHttps;
import ai.dstack.api.configuration.ServiceModel;
import ai.dstack.api.resources.Range;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code type: service}: port, gateway, model, scaling, rate limits, probes, replicas and replica groups. */
public final class ServiceReader {
    private static final Pattern PORT_PAIR = Pattern.compile("^([0-9]+):([0-9]+)\\z");
    private static final ValueParser<Integer> VALID_PORT = Coerce.bounded(Coerce::integer, null, 0.0, 65535.0);
    private static final List<Long> SCALING_WINDOWS = List.of(30L, 60L, 300L);
    private static final String PREFIX_PATTERN = "^/[^\\s\\\\{}]*$";
    private static final String HEADER_PATTERN = "^[a-zA-Z0-9-_]+$";
    private static final ValueParser<String> RATE_LIMIT_PREFIX = StringRules.constrained(null, 4094, PREFIX_PATTERN,
            Pattern.compile("^/[^\\s\\\\{}]*\\z", Pattern.UNICODE_CHARACTER_CLASS));
    private static final ValueParser<String> HEADER_NAME = StringRules.constrained(null, 500, HEADER_PATTERN,
            Pattern.compile("^[a-zA-Z0-9_-]+\\z"));
    private static final double MIN_RPS = 1.0 / 60;
    private static final long MAX_RPS = Long.MAX_VALUE / 60;

    private ServiceReader() {}

    public static ServiceConfiguration service(MappingReader o) {
        ReadContext ctx = o.ctx();
        int mark = ctx.mark();
        o.accept("type");
        // dstack reads a list under `replicas` as the replica groups (the form it writes them in).
        YamlValue rawReplicas = o.raw("replicas");
        YamlValue rawGroups = o.raw("groups");
        if (isNull(rawGroups) && rawReplicas instanceof YamlValue.Sequence) {
            rawGroups = rawReplicas;
            rawReplicas = null;
        }
        if (!isNull(rawGroups) && !isNull(rawReplicas)) {
            ctx.valueError(o.loc(), o.value(), "`replicas` and `groups` are mutually exclusive");
            return null;
        }
        RunBase base = RunConfigurationReader.base(o);
        ProfileParams profile = ProfileReader.profile(o);
        List<String> commands = o.get("commands", RunConfigurationReader.COMMANDS, List.of());
        PortMapping port = o.req("port", ServiceReader::port);
        ServiceGateway gateway = o.opt("gateway", ServiceReader::gateway);
        Boolean stripPrefix = o.get("strip_prefix", Coerce::bool, true);
        ServiceModel model = o.opt("model", ServiceReader::model);
        ServiceHttps https = o.opt("https", ServiceReader::https);
        Boolean auth = o.get("auth", Coerce::bool, true);
        ScalingSpec scaling = o.opt("scaling", ServiceReader::scaling);
        List<RateLimit> rateLimits = o.get("rate_limits", ServiceReader::rateLimits, List.of());
        List<ProbeConfig> probes = o.opt("probes", ProbeReader::probes);
        Range<Integer> replicas = isNull(rawReplicas) ? null : replicaRange(ctx, rawReplicas, o.loc("replicas"));
        List<ReplicaGroup> groups = isNull(rawGroups) ? null : ReplicaGroupReader.groups(ctx, rawGroups, o.loc("groups"));
        o.finish();
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        String problem = replicas != null ? scalingProblem(replicas, scaling) : null;
        if (problem == null && groups != null) {
            problem = ReplicaGroupReader.conflictWithService(groups, base, profile, commands, scaling);
        }
        if (problem != null) {
            ctx.valueError(o.loc(), o.value(), problem);
            return null;
        }
        if (groups == null && !RunConfigurationReader.requireCommandsOrImage(o, commands, base)) {
            return null;
        }
        return new ServiceConfiguration(base, profile, commands, port, gateway, stripPrefix, model, https, auth,
                scaling, rateLimits, probes, replicas, groups);
    }

    private static boolean isNull(YamlValue value) {
        return value == null || value.isNullScalar();
    }

    /** dstack's rule for a replica count: a number or a range; a range needs {@code scaling}. */
    static String scalingProblem(Range<Integer> replicas, ScalingSpec scaling) {
        boolean isRange = !replicas.min().equals(replicas.max());
        if (isRange && scaling == null) {
            return "When you set `replicas` to a range, ensure to specify `scaling`.";
        }
        if (!isRange && scaling != null) {
            return "To use `scaling`, `replicas` must be set to a range.";
        }
        return null;
    }

    /** A replica count: {@code 2}, {@code 0..4} or {@code ..4} (from 0); the maximum is required. */
    static Range<Integer> replicaRange(ReadContext ctx, YamlValue value, String loc) {
        Range<Integer> range = ResourcesReader.INT_RANGE.parse(ctx, value, loc);
        if (range == null) {
            return null;
        }
        if (range.max() == null) {
            ctx.valueError(loc, value, "The maximum number of replicas is required");
            return null;
        }
        if (range.min() == null && range.max() < 0) {
            // dstack would keep the empty range 0..-1; a Range cannot hold it, so it is an error here.
            ctx.valueError(loc, value, "Invalid range order: 0.." + range.max());
            return null;
        }
        Range<Integer> filled = range.min() == null ? new Range<>(0, range.max()) : range;
        if (filled.min() < 0) {
            ctx.valueError(loc, value, "The minimum number of replicas must be greater than or equal to 0");
            return null;
        }
        return filled;
    }

    /**
     * The port the application listens on: {@code 8000} (served on port 80), {@code "8080:8000"}, or
     * {@code {local_port, container_port}}. Errors name the field, as dstack's union does.
     */
    static PortMapping port(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        if (v instanceof String s) {
            Matcher pair = PORT_PAIR.matcher(s);
            if (pair.find()) {
                int mark = ctx.mark();
                Integer local = pairPart(ctx, value, ReadContext.child(loc, "local_port"), pair.group(1));
                Integer container = pairPart(ctx, value, ReadContext.child(loc, "container_port"), pair.group(2));
                return ctx.cleanSince(mark) ? new PortMapping(local, container) : null;
            }
            int mark = ctx.mark();
            Integer container = VALID_PORT.parse(ctx, value, loc);
            if (container != null) {
                return new PortMapping(ServiceConfiguration.DEFAULT_LOCAL_PORT, container);
            }
            List<ValidationError> errors = ctx.rollback(mark);
            if (errors.stream().anyMatch(e -> e.message().contains("unable to parse"))) {
                ctx.error(loc, value, "Input should be a port number, a string like '8080:8000', or a mapping with "
                        + "`container_port`, got " + PythonText.repr(s));
            } else {
                ctx.addAll(errors);
            }
            return null;
        }
        if (value instanceof YamlValue.Scalar && v != null) {
            Integer container = VALID_PORT.parse(ctx, value, loc);
            return container == null ? null : new PortMapping(ServiceConfiguration.DEFAULT_LOCAL_PORT, container);
        }
        if (value instanceof YamlValue.Mapping) {
            int mark = ctx.mark();
            PortMapping mapping = RunConfigurationReader.port(ctx, value, loc);
            // A union names only itself in dstack's locations: report the members' problems on `port`.
            List<ValidationError> moved = new ArrayList<>();
            for (ValidationError e : ctx.rollback(mark)) {
                String field = e.loc().length() > loc.length() ? e.loc().substring(loc.length() + 1) + ": " : "";
                moved.add(new ValidationError(loc, field + e.message(), e.source(), e.line(), e.column()));
            }
            ctx.addAll(moved);
            return mapping;
        }
        ctx.error(loc, value, "Input should be a port number, a string like '8080:8000', or a mapping with `container_port`");
        return null;
    }

    /** One side of {@code "8080:8000"}: digits only, so anything too long for an int is simply too large a port. */
    private static Integer pairPart(ReadContext ctx, YamlValue value, String loc, String digits) {
        if (digits.length() > 9) {
            ctx.error(loc, value, "Input should be less than or equal to 65535");
            return null;
        }
        return VALID_PORT.parse(ctx, ResourcesReader.derived(value, digits), loc);
    }

    /** {@code true}, {@code false}, {@code name}, {@code project/name}, or {@code {project, name}}: tried in that order. */
    static ServiceGateway gateway(ReadContext ctx, YamlValue value, String loc) {
        int mark = ctx.mark();
        Boolean flag = Coerce.bool(ctx, value, loc);
        if (flag != null) {
            return new ServiceGateway.Flag(flag);
        }
        ctx.rollback(mark);
        EntityReference reference = value instanceof YamlValue.Mapping
                ? ProfileReader.entityReference(ctx, value, loc)
                : ProfileReader.fleetReference(ctx, value, loc);
        return reference == null ? null : new ServiceGateway.Named(reference);
    }

    static ServiceHttps https(ReadContext ctx, YamlValue value, String loc) {
        if ("auto".equals(Coerce.scalar(value))) {
            return ServiceHttps.AUTO;
        }
        int mark = ctx.mark();
        Boolean flag = Coerce.bool(ctx, value, loc);
        if (flag == null) {
            ctx.rollback(mark);
            ctx.error(loc, value, "Input should be a valid boolean or 'auto'");
            return null;
        }
        return flag ? ServiceHttps.ON : ServiceHttps.OFF;
    }

    /** A model name (an OpenAI-compatible chat model at {@code /v1}) or a mapping chosen by its {@code format}. */
    static ServiceModel model(ReadContext ctx, YamlValue value, String loc) {
        if (Coerce.scalar(value) instanceof String name) {
            return new ServiceModel.OpenAiChat(name, null);
        }
        if (!(value instanceof YamlValue.Mapping map)) {
            ctx.error(loc, value, "Input should be a valid dictionary or object to extract fields from");
            return null;
        }
        YamlValue format = map.entries().get("format");
        if (format == null) {
            ctx.error(loc, value, "Unable to extract tag using discriminator 'format'");
            return null;
        }
        Object tag = Coerce.scalar(format);
        if (!"openai".equals(tag) && !"tgi".equals(tag)) {
            ctx.error(ReadContext.child(loc, "format"), format, "Input tag '" + PythonText.str(tag) + "'"
                    + " found using 'format' does not match any of the expected tags: 'tgi', 'openai'");
            return null;
        }
        // pydantic locates a tagged union member's errors under the tag: `model.openai.name`.
        MappingReader o = MappingReader.of(ctx, value, ReadContext.child(loc, (String) tag));
        int mark = ctx.mark();
        o.accept("format");
        o.get("type", Coerce.oneOf(List.of("chat"), t -> t), "chat");
        String name = o.req("name", Coerce::string);
        ServiceModel model;
        if (tag.equals("openai")) {
            String prefix = o.get("prefix", Coerce::string, ServiceModel.OpenAiChat.DEFAULT_PREFIX);
            o.finish();
            model = ctx.cleanSince(mark) ? new ServiceModel.OpenAiChat(name, prefix) : null;
        } else {
            String template = o.opt("chat_template", Coerce::string);
            String eos = o.opt("eos_token", Coerce::string);
            o.finish();
            model = ctx.cleanSince(mark) ? new ServiceModel.TgiChat(name, template, eos) : null;
        }
        return model;
    }

    static ScalingSpec scaling(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String metric = o.req("metric", Coerce.oneOf(List.of(ScalingSpec.RPS), m -> m));
        Double target = o.req("target", Coerce.bounded(Coerce::number, null, 0.0, null));
        Long window = o.opt("window", ServiceReader::scalingWindow);
        Long up = o.get("scale_up_delay", Durations::duration, ScalingSpec.DEFAULT_SCALE_UP_DELAY);
        Long down = o.get("scale_down_delay", Durations::duration, ScalingSpec.DEFAULT_SCALE_DOWN_DELAY);
        o.finish();
        return ctx.cleanSince(mark) ? new ScalingSpec(metric, target, window, up, down) : null;
    }

    private static Long scalingWindow(ReadContext ctx, YamlValue value, String loc) {
        Long window = Durations.duration(ctx, value, loc);
        if (window != null && !SCALING_WINDOWS.contains(window)) {
            ctx.valueError(loc, value, "Window must be one of: `30s`, `60s`, `300s`");
            return null;
        }
        return window;
    }

    static List<RateLimit> rateLimits(ReadContext ctx, YamlValue value, String loc) {
        List<RateLimit> limits = Coerce.listOf(ServiceReader::rateLimit).parse(ctx, value, loc);
        if (limits == null) {
            return null;
        }
        List<String> seen = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        for (RateLimit limit : limits) {
            if (seen.contains(limit.prefix()) && !duplicates.contains(limit.prefix())) {
                duplicates.add(limit.prefix());
            }
            seen.add(limit.prefix());
        }
        if (!duplicates.isEmpty()) {
            ctx.valueError(loc, value, "Prefixes " + RunConfigurationReader.pythonList(duplicates)
                    + " are used more than once. Each rate limit should have a unique path prefix");
            return null;
        }
        return limits;
    }

    static RateLimit rateLimit(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String prefix = o.get("prefix", RATE_LIMIT_PREFIX, "/");
        RateLimit.Key key = o.get("key", ServiceReader::rateLimitKey, new RateLimit.ByIpAddress());
        Double rps = o.req("rps", ServiceReader::rps);
        Long burst = o.get("burst", Coerce.bounded(Coerce::longValue, 0.0, null, null), 0L);
        o.finish();
        return ctx.cleanSince(mark) ? new RateLimit(prefix, key, rps, burst) : null;
    }

    /** Requests per second: at least one a minute, and few enough to count per minute in a 64-bit integer. */
    private static Double rps(ReadContext ctx, YamlValue value, String loc) {
        Double rps = Coerce.number(ctx, value, loc);
        if (rps == null) {
            return null;
        }
        if (!(rps >= MIN_RPS)) {
            ctx.error(loc, value, "Input should be greater than or equal to " + PythonText.floatRepr(MIN_RPS));
            return null;
        }
        if (Double.isInfinite(rps) || new BigDecimal(rps).compareTo(BigDecimal.valueOf(MAX_RPS)) > 0) {
            ctx.error(loc, value, "Input should be less than or equal to " + MAX_RPS);
            return null;
        }
        return rps;
    }

    static RateLimit.Key rateLimitKey(ReadContext ctx, YamlValue value, String loc) {
        if (!(value instanceof YamlValue.Mapping map)) {
            ctx.error(loc, value, "Input should be a valid dictionary or object to extract fields from");
            return null;
        }
        YamlValue type = map.entries().get("type");
        if (type == null) {
            ctx.error(loc, value, "Unable to extract tag using discriminator 'type'");
            return null;
        }
        Object tag = Coerce.scalar(type);
        if (!"ip_address".equals(tag) && !"header".equals(tag)) {
            ctx.error(ReadContext.child(loc, "type"), type, "Input tag '" + PythonText.str(tag) + "'"
                    + " found using 'type' does not match any of the expected tags: 'ip_address', 'header'");
            return null;
        }
        MappingReader o = MappingReader.of(ctx, value, ReadContext.child(loc, (String) tag));
        int mark = ctx.mark();
        o.accept("type");
        String header = tag.equals("header") ? o.req("header", HEADER_NAME) : null;
        o.finish();
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        return header == null ? new RateLimit.ByIpAddress() : new RateLimit.ByHeader(header);
    }
}
