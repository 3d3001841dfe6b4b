package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.ValueParser;
import ai.dstack.api.yaml.reading.YamlPlain;

import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.CreationPolicy;
import ai.dstack.api.configuration.EntityReference;
import ai.dstack.api.configuration.InstanceSelector;
import ai.dstack.api.configuration.OffDuration;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.ProfileRetry;
import ai.dstack.api.run.RetryEvent;
import ai.dstack.api.configuration.RetryFlag;
import ai.dstack.api.configuration.RetrySpec;
import ai.dstack.api.configuration.Schedule;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.configuration.StartupOrder;
import ai.dstack.api.configuration.StopCriteria;
import ai.dstack.api.configuration.UtilizationPolicy;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the profile fields ({@code backends}, {@code spot_policy}, {@code retry}, durations, ...) of a configuration. */
public final class ProfileReader {
    private static final Pattern TAG_KEY = Pattern.compile("^[_\\-a-zA-Z0-9]{1,60}$");
    private static final Pattern TAG_VALUE = Pattern.compile("^[a-zA-Z0-9 .:/=_\\-+@]{0,256}$");

    public static final ValueParser<List<String>> STRINGS = Coerce.listOf(Coerce::string);
    public static final ValueParser<SpotPolicy> SPOT_POLICY = Coerce.oneOf(SpotPolicy.wireValues(), SpotPolicy::fromWireValue);
    public static final ValueParser<Double> MAX_PRICE = Coerce.bounded(Coerce::number, null, 0.0, null);
    public static final ValueParser<List<BackendType>> BACKENDS =
            Coerce.listOf(Coerce.oneOf(BackendType.wireValues(), BackendType::fromWireValue));

    private static final List<String> RETRY_EVENTS = ProfileRetry.ALL_EVENTS.stream().map(RetryEvent::wireValue).toList();

    private ProfileReader() {}

    /** Reads every profile field of {@code o}; the fields not given stay null. */
    public static ProfileParams profile(MappingReader o) {
        return new ProfileParams(
                o.opt("backends", BACKENDS),
                o.opt("regions", STRINGS),
                o.opt("availability_zones", STRINGS),
                o.opt("instance_types", STRINGS),
                o.opt("reservation", Coerce::string),
                o.opt("spot_policy", SPOT_POLICY),
                o.opt("retry", ProfileReader::retry),
                offDuration(o, "max_duration"),
                offDuration(o, "stop_duration"),
                o.opt("max_price", MAX_PRICE),
                o.opt("creation_policy", Coerce.oneOf(CreationPolicy.wireValues(), CreationPolicy::fromWireValue)),
                idleDuration(o, "idle_duration"),
                o.opt("utilization_policy", ProfileReader::utilizationPolicy),
                o.opt("startup_order", Coerce.oneOf(StartupOrder.wireValues(), StartupOrder::fromWireValue)),
                o.opt("stop_criteria", Coerce.oneOf(StopCriteria.wireValues(), StopCriteria::fromWireValue)),
                o.opt("schedule", ProfileReader::schedule),
                o.opt("fleets", Coerce.listOf(ProfileReader::fleetReference)),
                o.opt("instances", ProfileReader::instances),
                o.opt("tags", ProfileReader::tags),
                o.opt("backend_options", ProfileReader::backendOptions));
    }

    /** A duration that can be off; {@code true} and null both leave it unset. */
    public static OffDuration offDuration(MappingReader o, String key) {
        return o.opt(key, Durations::offDuration);
    }

    public static Long idleDuration(MappingReader o, String key) {
        return o.opt(key, Durations::idleDuration);
    }

    public static RetrySpec retry(ReadContext ctx, YamlValue value, String loc) {
        if (value instanceof YamlValue.Mapping) {
            MappingReader o = MappingReader.of(ctx, value, loc);
            int mark = ctx.mark();
            List<RetryEvent> events = o.opt("on_events",
                    Coerce.listOf(Coerce.oneOf(RETRY_EVENTS, RetryEvent::fromWireValue)));
            Long duration = o.opt("duration", Durations::duration);
            o.finish();
            if (!ctx.cleanSince(mark)) {
                return null;
            }
            if (events != null && events.isEmpty()) {
                ctx.valueError(loc, value, "`on_events` cannot be empty");
                return null;
            }
            return new ProfileRetry(events, duration);
        }
        Boolean flag = Coerce.bool(ctx, value, loc);
        return flag == null ? null : new RetryFlag(flag);
    }

    static UtilizationPolicy utilizationPolicy(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        Integer min = o.req("min_gpu_utilization", Coerce.bounded(Coerce::integer, 0.0, null, 100.0));
        Long window = o.req("time_window", Durations::duration);
        if (window != null && window < 300) {
            ctx.valueError(o.loc("time_window"), o.raw("time_window"), "Minimum time_window is 5m");
        }
        o.finish();
        return ctx.cleanSince(mark) ? new UtilizationPolicy(min, window) : null;
    }

    static Schedule schedule(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        List<String> crons = o.req("cron", (c, v, l) -> v instanceof YamlValue.Sequence
                ? STRINGS.parse(c, v, l)
                : nullable(Coerce.string(c, v, l)));
        if (crons != null && crons.isEmpty()) {
            ctx.valueError(o.loc("cron"), o.raw("cron"), "At least one cron expression must be specified");
        }
        o.finish();
        return ctx.cleanSince(mark) ? new Schedule(crons) : null;
    }

    private static List<String> nullable(String one) {
        return one == null ? null : List.of(one);
    }

    /** {@code name}, {@code project/name}, or {@code {project, name}}. */
    public static EntityReference fleetReference(ReadContext ctx, YamlValue value, String loc) {
        if (value instanceof YamlValue.Mapping) {
            return entityReference(ctx, value, loc);
        }
        String text = Coerce.string(ctx, value, loc);
        if (text == null) {
            return null;
        }
        String[] parts = text.split("/", -1);
        for (String part : parts) {
            if (part.isEmpty()) {
                parts = null;
                break;
            }
        }
        if (parts == null || parts.length > 2) {
            ctx.valueError(loc, value, "Invalid entity reference. Only `<name>` or `<project>/<name>` formats are allowed");
            return null;
        }
        return parts.length == 1 ? new EntityReference(null, parts[0]) : new EntityReference(parts[0], parts[1]);
    }

    static EntityReference entityReference(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String project = o.opt("project", Coerce::string);
        String name = o.req("name", Coerce::string);
        o.finish();
        return ctx.cleanSince(mark) ? new EntityReference(project, name) : null;
    }

    static List<InstanceSelector> instances(ReadContext ctx, YamlValue value, String loc) {
        List<InstanceSelector> selectors = Coerce.listOf(ProfileReader::instanceSelector).parse(ctx, value, loc);
        if (selectors != null && selectors.isEmpty()) {
            ctx.error(loc, value, "List should have at least 1 item after validation, not 0");
            return null;
        }
        return selectors;
    }

    static InstanceSelector instanceSelector(ReadContext ctx, YamlValue value, String loc) {
        if (!(value instanceof YamlValue.Mapping map)) {
            String name = Coerce.string(ctx, value, loc);
            return name == null ? null : new InstanceSelector.ByName(name);
        }
        MappingReader o = MappingReader.of(ctx, value, loc);
        int mark = ctx.mark();
        InstanceSelector selector;
        if (map.entries().containsKey("fleet") || map.entries().containsKey("instance")) {
            EntityReference fleet = o.req("fleet", ProfileReader::fleetReference);
            Integer instance = o.req("instance", Coerce::integer);
            selector = ctx.cleanSince(mark) ? new InstanceSelector.ByFleetInstance(fleet, instance) : null;
        } else if (map.entries().containsKey("hostname")) {
            String hostname = o.req("hostname", Coerce::string);
            selector = hostname == null ? null : new InstanceSelector.ByHostname(hostname);
        } else {
            String name = o.req("name", Coerce::string);
            selector = name == null ? null : new InstanceSelector.ByName(name);
        }
        o.finish();
        return ctx.cleanSince(mark) ? selector : null;
    }

    public static Map<String, String> tags(ReadContext ctx, YamlValue value, String loc) {
        Map<String, String> tags = Coerce.mapOf(Coerce::string).parse(ctx, value, loc);
        if (tags == null) {
            return null;
        }
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            if (!TAG_KEY.matcher(tag.getKey()).matches()) {
                ctx.valueError(loc, value, "Invalid tag key " + tag.getKey() + ". The key must match regex '" + TAG_KEY.pattern() + "'");
                return null;
            }
            if (!TAG_VALUE.matcher(tag.getValue()).matches()) {
                ctx.valueError(loc, value, "Invalid tag value " + tag.getValue() + ". The value must match regex '" + TAG_VALUE.pattern() + "'");
                return null;
            }
        }
        return tags;
    }

    /** Per-backend options, kept as given; each backend may appear once. */
    static List<Map<String, Object>> backendOptions(ReadContext ctx, YamlValue value, String loc) {
        List<Map<String, Object>> options = Coerce.listOf((c, v, l) -> {
            if (!(v instanceof YamlValue.Mapping m)) {
                c.error(l, v, "Input should be a valid dictionary or object to extract fields from");
                return null;
            }
            if (!(Coerce.scalar(m.entries().get("type")) instanceof String)) {
                c.error(ReadContext.child(l, "type"), v, "Unable to extract tag using discriminator 'type'");
                return null;
            }
            return YamlPlain.toMap(m);
        }).parse(ctx, value, loc);
        if (options == null) {
            return null;
        }
        Set<Object> seen = new HashSet<>();
        for (Map<String, Object> option : options) {
            if (!seen.add(option.get("type"))) {
                ctx.valueError(loc, value, "backend_options contains duplicate entry for backend '" + option.get("type") + "'");
                return null;
            }
        }
        return options;
    }
}
