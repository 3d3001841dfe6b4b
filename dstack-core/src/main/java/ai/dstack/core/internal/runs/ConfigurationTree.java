package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.HttpHeader;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.ConfigurationType;
import ai.dstack.api.configuration.PortMapping;
import ai.dstack.api.configuration.PythonVersion;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.ProbeSpec;
import ai.dstack.api.yaml.DstackYaml;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A run configuration in its wire form (dstack's JSON), for reading the fields of services and dev environments
 * and for changing a configuration of any type the way dstack's server sets defaults. The wire form is dstack's
 * contract, so this stays right whatever Java type holds the configuration.
 */
final class ConfigurationTree {
    static final String DEFAULT_GROUP_NAME = "0";
    static final String DEFAULT_PROBE_URL = "/";
    static final int DEFAULT_PROBE_TIMEOUT = 10;
    static final int DEFAULT_PROBE_INTERVAL = 15;
    static final int DEFAULT_PROBE_READY_AFTER = 1;
    static final String DEFAULT_PROBE_METHOD = "get";
    static final int OPENAI_MODEL_PROBE_TIMEOUT = 30;

    private final ObjectNode node;

    private ConfigurationTree(ObjectNode node) {
        this.node = node;
    }

    static ConfigurationTree of(RunConfiguration configuration) {
        return new ConfigurationTree((ObjectNode) DstackYaml.toJsonTree(configuration));
    }

    ObjectNode node() {
        return node;
    }

    ConfigurationType type() {
        return ConfigurationType.fromWireValue(node.path("type").asText());
    }

    /** The configuration this tree now describes, read by dstack's configuration rules. */
    RunConfiguration toConfiguration() {
        Configuration configuration = DstackYaml.fromJson(node);
        return (RunConfiguration) configuration;
    }

    /** A service's explicit groups as written ({@code groups}, or a list under {@code replicas}), or null. */
    List<ObjectNode> serviceGroupNodes() {
        JsonNode groups = node.get("groups");
        if (groups == null || !groups.isArray()) {
            groups = node.get("replicas");
        }
        if (groups == null || !groups.isArray()) {
            return null;
        }
        List<ObjectNode> out = new ArrayList<>();
        groups.forEach(g -> out.add((ObjectNode) g));
        return out;
    }

    /** A service's replica groups as dstack's {@code replica_groups}: the explicit ones, or one made of the top level. */
    List<ServiceGroup> serviceGroups() {
        List<ObjectNode> explicit = serviceGroupNodes();
        if (explicit == null) {
            JsonNode replicas = node.get("replicas");
            Range<Integer> count = replicas == null || replicas.isNull() ? Range.exactly(1) : replicaRange(replicas);
            JobGroup group = JobGroup.plain(DEFAULT_GROUP_NAME, 0, 1, strings(node.get("commands")), List.of(),
                    resources(node.get("resources")));
            return List.of(new ServiceGroup(group, count));
        }
        List<ServiceGroup> out = new ArrayList<>();
        for (int i = 0; i < explicit.size(); i++) {
            ObjectNode g = explicit.get(i);
            String name = text(g.get("name"));
            JsonNode count = g.hasNonNull("replicas") ? g.get("replicas") : g.get("count");
            JobGroup group = new JobGroup(name != null ? name : Integer.toString(i), 0, 1, strings(g.get("commands")),
                    List.of(), resources(g.get("resources")), text(g.get("image")), bool(g.get("docker")),
                    bool(g.get("nvcc")), bool(g.get("privileged")), python(g.get("python")), spotPolicy(g.get("spot_policy")),
                    text(g.get("reservation")));
            out.add(new ServiceGroup(group, count == null || count.isNull() ? Range.exactly(1) : replicaRange(count)));
        }
        return out;
    }

    /** A replica group with how many replicas it runs. */
    record ServiceGroup(JobGroup group, Range<Integer> replicas) {
        /** dstack's {@code replicas.min or 0}. */
        int minReplicas() {
            return replicas.min() == null ? 0 : replicas.min();
        }
    }

    /** The port the service's replicas listen on. */
    Integer serviceContainerPort() {
        JsonNode port = node.get("port");
        if (port == null || port.isNull()) {
            return null;
        }
        return port.isObject() ? port.path("container_port").intValue() : port.intValue();
    }

    /** The service's probes with dstack's defaults, or an OpenAI model's default probe, or none. */
    List<ProbeSpec> serviceProbes() {
        JsonNode probes = node.get("probes");
        if (probes != null && probes.isArray()) {
            List<ProbeSpec> out = new ArrayList<>();
            probes.forEach(p -> out.add(probe(p)));
            return out;
        }
        JsonNode model = node.get("model");
        if (model != null && model.isTextual()) {
            return List.of(OpenAiProbe.of(model.textValue(), "/v1"));
        }
        if (model != null && model.isObject() && "openai".equals(model.path("format").asText("openai"))) {
            String prefix = model.hasNonNull("prefix") ? model.get("prefix").asText() : "/v1";
            return List.of(OpenAiProbe.of(model.path("name").asText(), prefix));
        }
        return List.of();
    }

    /** The probes as written (no defaults), for limits checks. */
    List<JsonNode> probeNodes() {
        JsonNode probes = node.get("probes");
        List<JsonNode> out = new ArrayList<>();
        if (probes != null && probes.isArray()) {
            probes.forEach(out::add);
        }
        return out;
    }

    private static ProbeSpec probe(JsonNode p) {
        List<HttpHeader> headers = new ArrayList<>();
        p.path("headers").forEach(h -> headers.add(new HttpHeader(text(h.get("name")), text(h.get("value")))));
        return new ProbeSpec(
                p.hasNonNull("type") ? p.get("type").asText() : "http",
                p.hasNonNull("url") ? p.get("url").asText() : DEFAULT_PROBE_URL,
                p.hasNonNull("method") ? p.get("method").asText() : DEFAULT_PROBE_METHOD,
                headers,
                text(p.get("body")),
                p.hasNonNull("timeout") ? p.get("timeout").intValue() : DEFAULT_PROBE_TIMEOUT,
                p.hasNonNull("interval") ? p.get("interval").intValue() : DEFAULT_PROBE_INTERVAL,
                p.hasNonNull("ready_after") ? p.get("ready_after").intValue() : DEFAULT_PROBE_READY_AFTER,
                p.hasNonNull("until_ready") && p.get("until_ready").booleanValue());
    }

    String text(String field) {
        return text(node.get(field));
    }

    List<String> strings(String field) {
        return strings(node.get(field));
    }

    List<PortMapping> ports(String field) {
        JsonNode ports = node.get(field);
        List<PortMapping> out = new ArrayList<>();
        if (ports != null && ports.isArray()) {
            ports.forEach(p -> out.add(new PortMapping(p.hasNonNull("local_port") ? p.get("local_port").intValue() : null,
                    p.path("container_port").intValue())));
        }
        return out;
    }

    static ResourcesSpec resources(JsonNode value) {
        if (value == null || value.isNull()) {
            return ResourcesSpec.DEFAULT;
        }
        try {
            return DstackJson.mapper().treeToValue(value, ResourcesSpec.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Invalid resources " + value + ": " + e.getMessage(), e);
        }
    }

    /** dstack's replica range: the maximum is required, a missing minimum is 0. */
    private static Range<Integer> replicaRange(JsonNode value) {
        if (value.isInt()) {
            return Range.exactly(value.intValue());
        }
        Integer min = value.hasNonNull("min") ? value.get("min").intValue() : 0;
        Integer max = value.hasNonNull("max") ? value.get("max").intValue() : null;
        return new Range<>(min, max);
    }

    static String text(JsonNode value) {
        return value == null || value.isNull() ? null : value.asText();
    }

    static Boolean bool(JsonNode value) {
        return value == null || value.isNull() ? null : value.booleanValue();
    }

    static List<String> strings(JsonNode value) {
        List<String> out = new ArrayList<>();
        if (value != null && value.isArray()) {
            value.forEach(v -> out.add(v.asText()));
        }
        return out;
    }

    private static PythonVersion python(JsonNode value) {
        return value == null || value.isNull() ? null : PythonVersion.fromWireValue(value.asText());
    }

    private static SpotPolicy spotPolicy(JsonNode value) {
        return value == null || value.isNull() ? null : SpotPolicy.fromWireValue(value.asText());
    }
}
