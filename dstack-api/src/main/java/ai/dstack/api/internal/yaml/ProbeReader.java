package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.ValueParser;

import ai.dstack.api.configuration.HttpHeader;
import ai.dstack.api.configuration.ProbeConfig;
import ai.dstack.api.configuration.ProbeMethod;
import java.util.HashSet;
import java.util.List;

/** Reads a service's {@code probes}: HTTP health checks of its replicas. */
final class ProbeReader {
    private static final int MAX_URL_LENGTH = 2048;
    private static final int MAX_HEADERS = 16;
    private static final ValueParser<String> HEADER_NAME = StringRules.constrained(1, 256, null, null);
    private static final ValueParser<String> HEADER_VALUE = StringRules.constrained(1, 2048, null, null);
    private static final ValueParser<String> BODY = StringRules.constrained(1, 2048, null, null);

    private ProbeReader() {}

    static List<ProbeConfig> probes(ReadContext ctx, YamlValue value, String loc) {
        List<ProbeConfig> probes = Coerce.listOf(ProbeReader::probe).parse(ctx, value, loc);
        if (probes != null && new HashSet<>(probes).size() != probes.size()) {
            ctx.valueError(loc, value, "Probes must be unique");
            return null;
        }
        return probes;
    }

    static ProbeConfig probe(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        o.req("type", Coerce.oneOf(List.of("http"), t -> t));
        String url = o.opt("url", ProbeReader::url);
        ProbeMethod method = o.opt("method", Coerce.oneOf(ProbeMethod.wireValues(), ProbeMethod::fromWireValue));
        List<HttpHeader> headers = o.get("headers", ProbeReader::headers, List.of());
        String body = o.opt("body", BODY);
        Long timeout = o.opt("timeout", (c, v, l) -> atLeastOneSecond(c, v, l, "timeout"));
        Long interval = o.opt("interval", (c, v, l) -> atLeastOneSecond(c, v, l, "interval"));
        Integer readyAfter = o.opt("ready_after", Coerce.bounded(Coerce::integer, 1.0, null, null));
        Boolean untilReady = o.opt("until_ready", Coerce::bool);
        o.finish();
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        // As in dstack, only an explicit get/head forbids a body: an omitted method is not checked.
        if (body != null && (method == ProbeMethod.GET || method == ProbeMethod.HEAD)) {
            ctx.valueError(loc, value, "Cannot set request body for the `" + method.wireValue() + "` method");
            return null;
        }
        return new ProbeConfig(url, method, headers, body, timeout, interval, readyAfter, untilReady);
    }

    private static String url(ReadContext ctx, YamlValue value, String loc) {
        String url = Coerce.string(ctx, value, loc);
        if (url == null) {
            return null;
        }
        String problem = null;
        if (!url.startsWith("/")) {
            problem = "Must start with `/`";
        } else if (url.codePointCount(0, url.length()) > MAX_URL_LENGTH) {
            problem = "Cannot be longer than " + MAX_URL_LENGTH + " characters";
        } else if (!StringRules.isPrintable(url)) {
            problem = "Cannot contain non-printable characters";
        }
        if (problem != null) {
            ctx.valueError(loc, value, problem);
            return null;
        }
        return url;
    }

    private static List<HttpHeader> headers(ReadContext ctx, YamlValue value, String loc) {
        if (value instanceof YamlValue.Sequence seq && seq.items().size() > MAX_HEADERS) {
            ctx.error(loc, value, "List should have at most " + MAX_HEADERS + " items after validation, not " + seq.items().size());
            return null;
        }
        return Coerce.listOf(ProbeReader::header).parse(ctx, value, loc);
    }

    private static HttpHeader header(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String name = o.req("name", HEADER_NAME);
        String headerValue = o.req("value", HEADER_VALUE);
        o.finish();
        return ctx.cleanSince(mark) ? new HttpHeader(name, headerValue) : null;
    }

    private static Long atLeastOneSecond(ReadContext ctx, YamlValue value, String loc, String what) {
        Long seconds = Durations.duration(ctx, value, loc);
        if (seconds != null && seconds < 1) {
            ctx.valueError(loc, value, "Probe " + what + " cannot be shorter than 1s");
            return null;
        }
        return seconds;
    }
}
