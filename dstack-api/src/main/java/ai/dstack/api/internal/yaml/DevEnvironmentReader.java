package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.ValueParser;

import ai.dstack.api.configuration.DevEnvironmentConfiguration;
import ai.dstack.api.configuration.Ide;
import ai.dstack.api.configuration.OffDuration;
import ai.dstack.api.configuration.PortMapping;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.RunBase;
import java.util.List;
import java.util.regex.Pattern;

/** Reads {@code type: dev-environment}: the IDE, its version, {@code init} and the inactivity limit. */
public final class DevEnvironmentReader {
    // Python's re.match: `.` stops at a newline and `$` also matches before a final one.
    private static final Pattern WINDSURF_VERSION = Pattern.compile("^.+@[a-f0-9]+$", Pattern.UNIX_LINES);
    private static final ValueParser<Ide> IDE = Coerce.oneOf(Ide.wireValues(), Ide::fromWireValue);

    private DevEnvironmentReader() {}

    public static DevEnvironmentConfiguration devEnvironment(MappingReader o) {
        ReadContext ctx = o.ctx();
        int mark = ctx.mark();
        o.accept("type");
        RunBase base = RunConfigurationReader.base(o);
        if (base.entrypoint() != null) {
            ctx.valueError(o.loc("entrypoint"), o.raw("entrypoint"), "entrypoint is not supported for dev-environment");
        }
        ProfileParams profile = ProfileReader.profile(o);
        List<PortMapping> ports = o.get("ports", RunConfigurationReader.PORTS, List.of());
        Ide ide = o.opt("ide", IDE);
        String version = o.opt("version", Coerce::string);
        List<String> init = o.get("init", RunConfigurationReader.COMMANDS, List.of());
        Long inactivity = o.opt("inactivity_duration", DevEnvironmentReader::inactivityDuration);
        o.finish();
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        String problem = null;
        if (version != null && !version.isEmpty() && ide == null) {
            problem = "`version` requires `ide` to be set";
        } else if (ide == Ide.WINDSURF && version != null && !version.isEmpty()
                && !WINDSURF_VERSION.matcher(version).find()) {
            problem = "Invalid Windsurf version format: `" + version + "`. Expected format: `version@commit` "
                    + "(e.g., `1.106.0@8951cd3ad688e789573d7f51750d67ae4a0bea7d`)";
        } else if (base.dstack() && inactivity != null) {
            // The server connection counts as activity, so the dev environment would never be idle.
            problem = "`dstack` is not supported together with `inactivity_duration`";
        }
        if (problem != null) {
            ctx.valueError(o.loc(), o.value(), problem);
            return null;
        }
        return new DevEnvironmentConfiguration(base, profile, ports, ide, version, init, inactivity);
    }

    /** Seconds; {@code off} and {@code false} mean no limit, as does {@code true}. */
    private static Long inactivityDuration(ReadContext ctx, YamlValue value, String loc) {
        OffDuration duration = Durations.offDuration(ctx, value, loc);
        return duration == null || duration.isOff() ? null : duration.seconds();
    }
}
