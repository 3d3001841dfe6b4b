package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.ValueParser;

import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.GatewayCertificate;
import ai.dstack.api.configuration.GatewayConfiguration;
import java.util.List;
import java.util.Map;

/** Reads {@code type: gateway}: backend, region, domain, certificate, replicas. */
public final class GatewayReader {
    private static final ValueParser<BackendType> BACKEND = Coerce.oneOf(BackendType.wireValues(), BackendType::fromWireValue);
    private static final List<String> CERTIFICATE_TYPES = List.of("lets-encrypt", "acm");

    private GatewayReader() {}

    public static GatewayConfiguration gateway(MappingReader o) {
        ReadContext ctx = o.ctx();
        int mark = ctx.mark();
        o.accept("type");
        String name = o.opt("name", Coerce::string);
        Boolean isDefault = o.opt("default", Coerce::bool);
        BackendType backend = o.req("backend", BACKEND);
        String region = o.req("region", Coerce::string);
        String instanceType = o.opt("instance_type", GatewayReader::nonEmpty);
        String domain = o.opt("domain", Coerce::string);
        Boolean publicIp = o.get("public_ip", Coerce::bool, true);
        GatewayCertificate certificate = o.get("certificate", GatewayReader::certificate,
                GatewayConfiguration.DEFAULT_CERTIFICATE);
        Integer replicas = o.opt("replicas", Coerce.bounded(Coerce::integer, 1.0, null, null));
        Map<String, String> tags = o.opt("tags", ProfileReader::tags);
        o.finish();
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        return new GatewayConfiguration(name, isDefault, backend, region, instanceType, domain, publicIp, certificate,
                replicas, tags);
    }

    private static String nonEmpty(ReadContext ctx, YamlValue value, String loc) {
        String text = Coerce.string(ctx, value, loc);
        if (text != null && text.isEmpty()) {
            ctx.error(loc, value, "String should have at least 1 character");
            return null;
        }
        return text;
    }

    /** {@code {type: lets-encrypt}}, {@code {type: acm, arn}}, or null for no TLS; errors sit under the tag. */
    static GatewayCertificate certificate(ReadContext ctx, YamlValue value, String loc) {
        if (value.isNullScalar()) {
            return null;
        }
        if (!(value instanceof YamlValue.Mapping map)) {
            ctx.error(loc, value, "Input should be a valid dictionary or object to extract fields from");
            return null;
        }
        String type = Discriminator.tag(ctx, map, "type", loc, CERTIFICATE_TYPES, "'lets-encrypt', 'acm'");
        if (type == null) {
            return null;
        }
        MappingReader o = MappingReader.of(ctx, value, ReadContext.child(loc, type));
        int mark = ctx.mark();
        o.accept("type");
        GatewayCertificate certificate = type.equals("acm")
                ? acm(o.req("arn", Coerce::string))
                : new GatewayCertificate.LetsEncrypt();
        o.finish();
        return ctx.cleanSince(mark) ? certificate : null;
    }

    private static GatewayCertificate acm(String arn) {
        return arn == null ? null : new GatewayCertificate.Acm(arn);
    }
}
