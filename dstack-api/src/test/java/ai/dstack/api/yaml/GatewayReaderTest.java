package ai.dstack.api.yaml;

import static ai.dstack.api.yaml.ConfigurationAssertions.errors;
import static ai.dstack.api.yaml.ConfigurationAssertions.json;
import static ai.dstack.api.yaml.ConfigurationAssertions.locs;
import static ai.dstack.api.yaml.ConfigurationAssertions.parse;
import static ai.dstack.api.yaml.ConfigurationAssertions.parsesOrFailsCleanly;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.GatewayCertificate;
import ai.dstack.api.configuration.GatewayConfiguration;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayReaderTest {
    private static final String BASE = "type: gateway\nbackend: aws\nregion: eu-west-1\n";

    @Test
    void defaults() {
        GatewayConfiguration gateway = parse(BASE + "domain: example.com", GatewayConfiguration.class);
        assertThat(gateway).isEqualTo(GatewayConfiguration.of(null, BackendType.AWS, "eu-west-1", "example.com"));
        assertThat(gateway.certificate()).isInstanceOf(GatewayCertificate.LetsEncrypt.class);
        JsonNode json = json(BASE);
        assertThat(json.get("certificate").toString()).isEqualTo("{\"type\":\"lets-encrypt\"}");
        assertThat(json.get("public_ip").asBoolean()).isTrue();
        assertThat(json.has("default")).isTrue();
        assertThat(json.get("type").asText()).isEqualTo("gateway");
    }

    @Test
    void certificates() {
        assertThat(parse(BASE + "certificate: null", GatewayConfiguration.class).certificate()).isNull();
        assertThat(json(BASE + "certificate: null").get("certificate").isNull()).isTrue();
        assertThat(parse(BASE + "certificate: {type: acm, arn: 'arn:aws:acm:x'}", GatewayConfiguration.class).certificate())
                .isEqualTo(new GatewayCertificate.Acm("arn:aws:acm:x"));
        assertThat(json(BASE + "certificate: {type: acm, arn: a}").get("certificate").toString())
                .isEqualTo("{\"arn\":\"a\",\"type\":\"acm\"}");
    }

    @Test
    void scalarsAreCoercedAsPydanticDoes() {
        GatewayConfiguration gateway = parse(BASE + "default: yes\npublic_ip: 'no'\ndomain: 5\nreplicas: '3'", GatewayConfiguration.class);
        assertThat(gateway.isDefault()).isTrue();
        assertThat(gateway.publicIp()).isFalse();
        assertThat(gateway.domain()).isEqualTo("5");
        assertThat(gateway.replicas()).isEqualTo(3);
        assertThat(json(BASE + "default: true").get("default").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "certificate: {type: acm}                 | gateway.certificate.acm.arn",
        "certificate: {arn: x}                    | gateway.certificate",
        "certificate: {type: self-signed}         | gateway.certificate",
        "certificate: acm                         | gateway.certificate",
        "certificate: {type: lets-encrypt, arn: x} | gateway.certificate.lets-encrypt.arn",
        "instance_type: ''                        | gateway.instance_type",
        "replicas: 0                              | gateway.replicas",
        "public_ip: null                          | gateway.public_ip",
        "default: maybe                           | gateway.default",
        "tags: {'a b': c}                         | gateway.tags",
    })
    void malformedGatewaysNameTheField(String body, String loc) {
        assertThat(locs(BASE + body)).contains(loc);
    }

    @Test
    void backendAndRegionAreRequired() {
        List<ValidationError> errors = errors("type: gateway\nbackends: [aws]\nregion: any");
        assertThat(errors).extracting(ValidationError::loc).contains("gateway.backend", "gateway.backends");
        assertThat(locs("type: gateway\nbackend: aws")).containsExactly("gateway.region");
        assertThat(errors("type: gateway\nbackend: moon\nregion: r").get(0).message()).startsWith("Input should be 'amddevcloud', 'aws'");
    }

    @Test
    void oddValuesAnywhereGiveConfigurationErrorsNeverCrashes() {
        List<String> odd = List.of("null", "[]", "{}", "[null]", "-1", "2.5", "true", "''", "1e400", "99999999999999999999",
                "{type: null}", "{type: []}", "{type: acm, arn: []}");
        for (String field : List.of("name", "default", "backend", "region", "instance_type", "domain", "public_ip", "certificate",
                "replicas", "tags")) {
            for (String value : odd) {
                parsesOrFailsCleanly(BASE + field + ": " + value);
            }
        }
    }
}
