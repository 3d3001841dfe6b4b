package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code type: gateway} configuration: the entry point that gives services a domain. {@code certificate} null
 * means no TLS; {@code replicas} null means dstack's default of one; {@code isDefault} null leaves the project's
 * default gateway as it is.
 */
@JsonPropertyOrder({"type"})
public record GatewayConfiguration(
        String name,
        @JsonProperty("default") Boolean isDefault,
        BackendType backend,
        String region,
        String instanceType,
        String domain,
        boolean publicIp,
        GatewayCertificate certificate,
        Integer replicas,
        Map<String, String> tags)
        implements Configuration {
    public static final GatewayCertificate DEFAULT_CERTIFICATE = new GatewayCertificate.LetsEncrypt();

    public GatewayConfiguration {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(region, "region is null");
    }

    /** A gateway with a public IP and a Let's Encrypt certificate for {@code domain}. */
    public static GatewayConfiguration of(String name, BackendType backend, String region, String domain) {
        return new GatewayConfiguration(name, null, backend, region, null, domain, true, DEFAULT_CERTIFICATE, null, null);
    }

    @JsonProperty("type")
    @Override
    public ConfigurationType type() {
        return ConfigurationType.GATEWAY;
    }
}
