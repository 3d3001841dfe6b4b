package ai.dstack.api.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.EntityReference;
import ai.dstack.api.configuration.PortMapping;
import ai.dstack.api.configuration.ProbeConfig;
import ai.dstack.api.configuration.ProbeMethod;
import ai.dstack.api.configuration.RateLimit;
import ai.dstack.api.configuration.ReplicaGroup;
import ai.dstack.api.configuration.RouterType;
import ai.dstack.api.configuration.ScalingSpec;
import ai.dstack.api.configuration.ServiceConfiguration;
import ai.dstack.api.configuration.ServiceGateway;
import ai.dstack.api.configuration.ServiceHttps;
import ai.dstack.api.configuration.ServiceModel;
import ai.dstack.api.resources.Range;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceReaderTest {
    private static ServiceConfiguration service(String yaml) {
        return DstackYaml.parse("type: service\n" + yaml, "service.yml", ServiceConfiguration.class);
    }

    private static List<ValidationError> errors(String yaml) {
        try {
            DstackYaml.parse("type: service\n" + yaml, "service.yml");
        } catch (ConfigurationException e) {
            return e.errors();
        }
        throw new AssertionError("expected the service to be rejected:\n" + yaml);
    }

    @Test
    void aBarePortIsServedOnPort80() {
        assertThat(service("port: 8000\ncommands: [x]").port()).isEqualTo(new PortMapping(80, 8000));
        assertThat(service("port: '8000'\ncommands: [x]").port()).isEqualTo(new PortMapping(80, 8000));
    }

    @Test
    void aPortPairOrMappingIsTakenAsWritten() {
        assertThat(service("port: '8080:8000'\ncommands: [x]").port()).isEqualTo(new PortMapping(8080, 8000));
        assertThat(service("port: {container_port: 8000}\ncommands: [x]").port()).isEqualTo(new PortMapping(null, 8000));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "port: '*:8000'       | service.port",
            "port: 0              | service.port",
            "port: 70000          | service.port",
            "port: '0:8000'       | service.port.local_port",
            "port: '80:99999999999' | service.port.container_port",
            "port: {local_port: 1} | service.port",
            "port: [80]           | service.port",
            "port: null           | service.port"})
    void aBadPortIsRejectedAtPort(String yaml, String loc) {
        assertThat(errors(yaml + "\ncommands: [x]")).extracting(ValidationError::loc).containsExactly(loc);
    }

    @Test
    void aServiceNeedsAPortAndSomethingToRun() {
        assertThat(errors("commands: [x]")).extracting(ValidationError::loc, ValidationError::message)
                .containsExactly(Tuple.tuple("service.port", "Field required"));
        assertThat(errors("port: 80")).extracting(ValidationError::message)
                .containsExactly("Value error, Either `commands` or `image` must be set");
        assertThat(service("port: 80\nimage: nginx").commands()).isEmpty();
    }

    @Test
    void omittedFieldsTakeDstacksDefaults() {
        ServiceConfiguration s = service("port: 80\ncommands: [x]");
        assertThat(s.auth()).isTrue();
        assertThat(s.stripPrefix()).isTrue();
        assertThat(s.https()).isNull();
        assertThat(s.gateway()).isNull();
        assertThat(s.probes()).isNull();
        assertThat(s.rateLimits()).isEmpty();
        assertThat(s.replicas()).isNull();
        assertThat(s.replicaGroups()).singleElement().satisfies(g -> {
            assertThat(g.name()).isEqualTo("0");
            assertThat(g.replicas()).isEqualTo(Range.exactly(1));
            assertThat(g.commands()).containsExactly("x");
        });
    }

    @Test
    void aModelNameIsAnOpenAiChatModelUnderV1() {
        assertThat(service("port: 80\ncommands: [x]\nmodel: meta-llama/Llama-3").model())
                .isEqualTo(new ServiceModel.OpenAiChat("meta-llama/Llama-3", "/v1"));
        JsonNode json = DstackYaml.toJsonTree(service("port: 80\ncommands: [x]\nmodel: m"));
        assertThat(json.get("model").toString()).isEqualTo("{\"type\":\"chat\",\"name\":\"m\",\"format\":\"openai\",\"prefix\":\"/v1\"}");
    }

    @Test
    void aModelMappingIsChosenByFormat() {
        assertThat(service("port: 80\ncommands: [x]\nmodel: {format: tgi, name: m, eos_token: '</s>'}").model())
                .isEqualTo(new ServiceModel.TgiChat("m", null, "</s>"));
        assertThat(errors("port: 80\ncommands: [x]\nmodel: {format: vllm, name: m}")).extracting(ValidationError::loc)
                .containsExactly("service.model.format");
        assertThat(errors("port: 80\ncommands: [x]\nmodel: {format: openai}")).extracting(ValidationError::loc)
                .containsExactly("service.model.openai.name");
        assertThat(errors("port: 80\ncommands: [x]\nmodel: {name: m}")).extracting(ValidationError::message)
                .containsExactly("Unable to extract tag using discriminator 'format'");
    }

    @Test
    void aGatewayIsAFlagOrAReference() {
        assertThat(service("port: 80\ncommands: [x]\ngateway: false").gateway()).isEqualTo(new ServiceGateway.Flag(false));
        assertThat(service("port: 80\ncommands: [x]\ngateway: team/gw").gateway())
                .isEqualTo(new ServiceGateway.Named(new EntityReference("team", "gw")));
        assertThat(service("port: 80\ncommands: [x]\ngateway: {name: gw}").gateway())
                .isEqualTo(new ServiceGateway.Named(new EntityReference(null, "gw")));
        assertThat(errors("port: 80\ncommands: [x]\ngateway: a/b/c")).extracting(ValidationError::loc)
                .containsExactly("service.gateway");
        JsonNode json = DstackYaml.toJsonTree(service("port: 80\ncommands: [x]\ngateway: team/gw"));
        assertThat(json.get("gateway").toString()).isEqualTo("{\"project\":\"team\",\"name\":\"gw\"}");
    }

    @Test
    void httpsIsABooleanOrAuto() {
        assertThat(service("port: 80\ncommands: [x]\nhttps: auto").https()).isEqualTo(ServiceHttps.AUTO);
        assertThat(service("port: 80\ncommands: [x]\nhttps: false").https()).isEqualTo(ServiceHttps.OFF);
        assertThat(DstackYaml.toJsonTree(service("port: 80\ncommands: [x]\nhttps: auto")).get("https").asText()).isEqualTo("auto");
        assertThat(errors("port: 80\ncommands: [x]\nhttps: sometimes")).extracting(ValidationError::loc)
                .containsExactly("service.https");
    }

    @Test
    void aReplicaRangeNeedsScalingAndAFixedCountForbidsIt() {
        ServiceConfiguration s = service("port: 80\ncommands: [x]\nreplicas: ..4\nscaling: {metric: rps, target: 10}");
        assertThat(s.replicas()).isEqualTo(new Range<>(0, 4));
        assertThat(s.scaling()).isEqualTo(ScalingSpec.rps(10));
        assertThat(errors("port: 80\ncommands: [x]\nreplicas: 1..4")).extracting(ValidationError::message)
                .containsExactly("Value error, When you set `replicas` to a range, ensure to specify `scaling`.");
        assertThat(errors("port: 80\ncommands: [x]\nreplicas: 2\nscaling: {metric: rps, target: 10}"))
                .extracting(ValidationError::message)
                .containsExactly("Value error, To use `scaling`, `replicas` must be set to a range.");
        assertThat(errors("port: 80\ncommands: [x]\nreplicas: 2..\nscaling: {metric: rps, target: 1}"))
                .extracting(ValidationError::loc, ValidationError::message)
                .containsExactly(Tuple.tuple("service.replicas",
                        "Value error, The maximum number of replicas is required"));
        assertThat(errors("port: 80\ncommands: [x]\nreplicas: 3..1")).extracting(ValidationError::loc)
                .containsExactly("service.replicas");
    }

    @Test
    void scalingHasDstacksDelaysAndAllowedWindows() {
        ScalingSpec scaling = service("port: 80\ncommands: [x]\nreplicas: 1..2\nscaling: {metric: rps, target: 2, window: 5m}").scaling();
        assertThat(scaling.window()).isEqualTo(300L);
        assertThat(scaling.scaleUpDelay()).isEqualTo(300L);
        assertThat(scaling.scaleDownDelay()).isEqualTo(600L);
        assertThat(errors("port: 80\ncommands: [x]\nreplicas: 1..2\nscaling: {metric: rps, target: 2, window: 45s}"))
                .extracting(ValidationError::loc).containsExactly("service.scaling.window");
        assertThat(errors("port: 80\ncommands: [x]\nreplicas: 1..2\nscaling: {metric: qps, target: 0}"))
                .extracting(ValidationError::loc).containsExactly("service.scaling.metric", "service.scaling.target");
    }

    @Test
    void aListUnderReplicasIsTheGroupsAndCountIsTheirReplicas() {
        ServiceConfiguration s = service("""
                port: 80
                replicas:
                  - count: 1
                    commands: [router]
                    router: {type: dynamo}
                  - name: workers
                    count: 1..4
                    scaling: {metric: rps, target: 3}
                    commands: [serve]
                """);
        assertThat(s.replicas()).isNull();
        assertThat(s.groups()).extracting(ReplicaGroup::name).containsExactly("0", "workers");
        assertThat(s.groups().get(0).router().type()).isEqualTo(RouterType.DYNAMO);
        assertThat(s.groups().get(1).replicas()).isEqualTo(new Range<>(1, 4));

        JsonNode json = DstackYaml.toJsonTree(s);
        assertThat(json.has("groups")).isFalse();
        assertThat(json.get("replicas").get(1).get("count").toString()).isEqualTo("{\"min\":1,\"max\":4}");
        assertThat(json.get("replicas").get(1).has("replicas")).isFalse();
        assertThat(DstackYaml.toJsonTree(DstackYaml.fromJson(json))).isEqualTo(json);
    }

    @Test
    void groupsForbidTopLevelCommandsAndReplicas() {
        assertThat(errors("port: 80\ncommands: [x]\ngroups: [{count: 1, commands: [y]}]")).extracting(ValidationError::message)
                .containsExactly("Value error, Top-level `commands` is not allowed when `groups` is set. "
                        + "Specify `commands` in each replica group instead.");
        assertThat(errors("port: 80\nreplicas: 2\ngroups: [{count: 1, commands: [y]}]")).extracting(ValidationError::message)
                .containsExactly("Value error, `replicas` and `groups` are mutually exclusive");
        assertThat(errors("port: 80\ngroups: [{count: 1}]")).extracting(ValidationError::message)
                .containsExactly("Value error, Replica group '0': either `commands` or `image` must be set in the group, "
                        + "or `image` at the service level.");
        assertThat(errors("port: 80\nimage: a\ngroups: [{count: 1, image: b}]")).extracting(ValidationError::loc)
                .containsExactly("service");
        assertThat(errors("port: 80\ngroups: [{count: 1, commands: [x], image: a, python: '3.12'}]"))
                .extracting(ValidationError::loc).containsExactly("service.groups.0.python");
        assertThat(errors("port: 80\ngroups: [{commands: [x]}]")).extracting(ValidationError::loc)
                .containsExactly("service.groups.0.replicas");
    }

    @Test
    void probesKeepWhatIsWrittenAndCheckBodyAgainstMethod() {
        List<ProbeConfig> probes = service("port: 80\ncommands: [x]\nprobes: [{type: http, url: /health, interval: 15s}]").probes();
        assertThat(probes).containsExactly(new ProbeConfig("/health", null, List.of(), null, null, 15L, null, null));
        assertThat(service("port: 80\ncommands: [x]\nprobes: [{type: http, method: post, body: '{}'}]").probes().get(0).method())
                .isEqualTo(ProbeMethod.POST);
        assertThat(errors("port: 80\ncommands: [x]\nprobes: [{type: http, method: get, body: x}]"))
                .extracting(ValidationError::loc, ValidationError::message)
                .containsExactly(Tuple.tuple("service.probes.0",
                        "Value error, Cannot set request body for the `get` method"));
        assertThat(errors("port: 80\ncommands: [x]\nprobes: [{type: http}, {type: http}]")).extracting(ValidationError::message)
                .containsExactly("Value error, Probes must be unique");
        assertThat(errors("port: 80\ncommands: [x]\nprobes: [{type: http, url: health, timeout: 0}]"))
                .extracting(ValidationError::loc).containsExactly("service.probes.0.url", "service.probes.0.timeout");
    }

    @Test
    void rateLimitsPartitionByIpUnlessAHeaderIsGiven() {
        List<RateLimit> limits = service("port: 80\ncommands: [x]\nrate_limits: [{rps: 10}, {prefix: /api, rps: 1, key: {type: header, header: X-Key}}]")
                .rateLimits();
        assertThat(limits).containsExactly(new RateLimit("/", new RateLimit.ByIpAddress(), 10, 0),
                new RateLimit("/api", new RateLimit.ByHeader("X-Key"), 1, 0));
        JsonNode json = DstackYaml.toJsonTree(service("port: 80\ncommands: [x]\nrate_limits: [{rps: 10}]"));
        assertThat(json.get("rate_limits").toString())
                .isEqualTo("[{\"prefix\":\"/\",\"key\":{\"type\":\"ip_address\"},\"rps\":10.0,\"burst\":0}]");
        assertThat(errors("port: 80\ncommands: [x]\nrate_limits: [{rps: 1}, {rps: 2}]")).extracting(ValidationError::message)
                .containsExactly("Value error, Prefixes ['/'] are used more than once. Each rate limit should have a unique path prefix");
        assertThat(errors("port: 80\ncommands: [x]\nrate_limits: [{rps: 1, prefix: 'api', key: {type: header, header: 'a b'}}]"))
                .extracting(ValidationError::loc)
                .containsExactly("service.rate_limits.0.prefix", "service.rate_limits.0.key.header.header");
    }

    @Test
    void everyMalformedValueIsAConfigurationErrorNamingTheField() {
        List<String> fields = List.of("port", "gateway", "strip_prefix", "model", "https", "auth", "scaling", "rate_limits",
                "probes", "replicas", "groups", "commands");
        List<String> values = List.of("null", "-1", "1.5", "'x'", "[]", "[1]", "[[]]", "[{}]", "{}", "{a: 1}", "[{count: {}}]",
                "[{count: 1, scaling: []}]", "[{rps: []}]", "[{type: http, headers: [1]}]", "{format: []}", "{metric: []}",
                "{name: []}", "'..'", "99999999999999999999999");
        for (String field : fields) {
            for (String value : values) {
                String yaml = "type: service\nimage: nginx\n" + (field.equals("port") ? "" : "port: 80\n") + field + ": " + value + "\n";
                try {
                    DstackYaml.parse(yaml, "service.yml");
                } catch (ConfigurationException e) {
                    assertThat(e.errors()).as(yaml).isNotEmpty().allSatisfy(err -> {
                        assertThat(err.loc()).startsWith("service");
                        assertThat(err.line()).isPositive();
                    });
                    // a list under `replicas` is read as the groups, and errors are named so, as dstack names them
                    String named = field.equals("replicas") && value.startsWith("[") ? "groups" : field;
                    assertThat(e.errors()).as(yaml).anySatisfy(err -> assertThat(err.loc()).startsWith("service." + named));
                }
            }
        }
    }

    @Test
    void aTypoIsNamedWithASuggestion() {
        assertThatThrownBy(() -> service("port: 80\ncommands: [x]\nreplica: 2"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("service.replica")
                .hasMessageContaining("did you mean 'replicas'?");
    }
}
