package ai.dstack.api.yaml;

import static ai.dstack.api.yaml.ConfigurationAssertions.errors;
import static ai.dstack.api.yaml.ConfigurationAssertions.json;
import static ai.dstack.api.yaml.ConfigurationAssertions.locs;
import static ai.dstack.api.yaml.ConfigurationAssertions.parse;
import static ai.dstack.api.yaml.ConfigurationAssertions.parsesOrFailsCleanly;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.Blocks;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.FleetNodes;
import ai.dstack.api.configuration.FleetPlacement;
import ai.dstack.api.configuration.SshHost;
import ai.dstack.api.configuration.SshProxy;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FleetReaderTest {
    private static FleetConfiguration fleet(String body) {
        return parse("type: fleet\n" + body, FleetConfiguration.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2              | 2 | 2 | 2",
        "'0..2'         | 0 | 0 | 2",
        "'1..'          | 1 | 1 |",
        "'..3'          | 0 | 0 | 3",
        "' 1 .. 3 '     | 1 | 1 | 3",
        "true           | 1 | 1 | 1",
        "'4'            | 4 | 4 | 4",
        "{target: 2}    | 0 | 2 |",
        "{min: 1, target: 2, max: 5} | 1 | 2 | 5",
        "{min: null, max: null}      | 0 | 0 |",
    })
    void nodesShorthands(String nodes, int min, int target, Integer max) {
        assertThat(fleet("nodes: " + nodes).nodes()).isEqualTo(new FleetNodes(min, target, max));
    }

    @Test
    void nodesJsonLeavesTargetOutWhenItEqualsMin() {
        assertThat(json("type: fleet\nnodes: 0..2").get("nodes").toString()).isEqualTo("{\"min\":0,\"max\":2}");
        assertThat(json("type: fleet\nnodes: {min: 0, target: 2}").get("nodes").toString())
                .isEqualTo("{\"min\":0,\"target\":2,\"max\":null}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "nodes: 2.5                        | fleet.nodes",
        "nodes: [1]                        | fleet.nodes",
        "nodes: '1..2..3'                  | fleet.nodes",
        "nodes: abc                        | fleet.nodes.min",
        "nodes: -1                         | fleet.nodes.min",
        "nodes: '3..1'                     | fleet.nodes",
        "nodes: {min: 2, target: 1}        | fleet.nodes",
        "nodes: {min: 1, target: 3, max: 2} | fleet.nodes",
        "nodes: {min: 1, size: 3}          | fleet.nodes.size",
        "blocks: 0                         | fleet.blocks",
        "blocks: Auto                      | fleet.blocks",
        "blocks: null                      | fleet.blocks",
        "placement: everywhere             | fleet.placement",
        "ssh_config: 5                     | fleet.ssh_config",
        "ssh_config: {}                    | fleet.ssh_config.hosts",
        "ssh_config: {hosts: a}            | fleet.ssh_config.hosts",
        "ssh_config: {hosts: [null]}       | fleet.ssh_config.hosts.0",
        "ssh_config: {hosts: [{port: 22}]} | fleet.ssh_config.hosts.0.hostname",
        "ssh_config: {hosts: [{hostname: a, blocks: 0}]} | fleet.ssh_config.hosts.0.blocks",
        "ssh_config: {hosts: [a], proxy_jump: {hostname: b}} | fleet.ssh_config.proxy_jump.user",
        "ssh_config: {hosts: [a], ssh_key: {private: k}}     | fleet.ssh_config.ssh_key.public",
        "ssh_config: {hosts: [a], network: 8.8.0.0/16}       | fleet.ssh_config.network",
        "ssh_config: {hosts: [a], network: not-a-network}   | fleet.ssh_config.network",
        "ssh_config: {hosts: [{hostname: a, internal_ip: 8.8.8.8}]}   | fleet.ssh_config.hosts.0.internal_ip",
        "ssh_config: {hosts: [{hostname: a, internal_ip: 10.0.0.01}]} | fleet.ssh_config.hosts.0.internal_ip",
        "env: null                         | fleet.env",
        "idle_duration: soon               | fleet.idle_duration",
        "max_price: 0                      | fleet.max_price",
        "commands: [echo]                  | fleet.commands",
    })
    void malformedFleetsNameTheField(String body, String loc) {
        assertThat(locs("type: fleet\n" + body)).contains(loc);
    }

    @Test
    void messagesAreDstacks() {
        assertThat(errors("type: fleet\nnodes: {min: 2, target: 1}")).extracting(ValidationError::message)
                .containsExactly("Value error, target must not be be less than min");
        assertThat(errors("type: fleet\nblocks: 0")).extracting(ValidationError::message)
                .containsExactly("Input should be 'auto'", "Input should be greater than or equal to 1");
        assertThat(errors("type: fleet\nssh_config: {hosts: [a], network: 8.8.0.0/16}")).extracting(ValidationError::message)
                .containsExactly("Value error, Public network is specified when private network is required");
    }

    @Test
    void cloudFleetDefaults() {
        FleetConfiguration fleet = fleet("name: gpus\nnodes: 2\nplacement: cluster\nresources: {gpu: H100:8}\nidle_duration: 1h");
        assertThat(fleet.blocks()).isEqualTo(Blocks.ONE);
        assertThat(fleet.placement()).isEqualTo(FleetPlacement.CLUSTER);
        assertThat(fleet.idleDuration()).isEqualTo(3600);
        assertThat(fleet.sshConfig()).isNull();
        JsonNode json = json("type: fleet\nnodes: 2");
        assertThat(json.get("type").asText()).isEqualTo("fleet");
        assertThat(json.get("blocks").asInt()).isEqualTo(1);
        assertThat(json.get("env").isEmpty()).isTrue();
        assertThat(json.get("resources").isNull()).isTrue();
        assertThat(json.get("ssh_config").isNull()).isTrue();
    }

    @Test
    void blocksAreAutoOrAWholeNumber() {
        assertThat(fleet("blocks: auto").blocks()).isEqualTo(Blocks.AUTO);
        assertThat(fleet("blocks: '4'").blocks()).isEqualTo(Blocks.of(4));
        assertThat(fleet("blocks: 2.0").blocks()).isEqualTo(Blocks.of(2));
        assertThat(json("type: fleet\nblocks: auto").get("blocks").asText()).isEqualTo("auto");
    }

    @Test
    void idleDurationOffIsMinusOne() {
        assertThat(fleet("idle_duration: off").idleDuration()).isEqualTo(-1);
        assertThat(fleet("idle_duration: false").idleDuration()).isEqualTo(-1);
        assertThat(fleet("idle_duration: true").idleDuration()).isNull();
    }

    @Test
    void sshHostsAreNamesOrObjects() {
        FleetConfiguration fleet = fleet("""
                ssh_config:
                  user: ubuntu
                  identity_file: ~/.ssh/id_rsa
                  proxy_jump: {hostname: bastion, user: admin, identity_file: ~/.ssh/bastion, port: 2222}
                  network: 10.0.0.0/24
                  hosts:
                    - 10.0.0.1
                    - 12
                    - hostname: 10.0.0.2
                      port: '2200'
                      internal_ip: 10.0.0.2
                      blocks: auto
                env: [HTTP_PROXY=http://proxy:80, HF_TOKEN]
                """);
        assertThat(fleet.sshConfig().hosts()).containsExactly(
                SshHost.of("10.0.0.1"),
                SshHost.of("12"),
                new SshHost("10.0.0.2", 2200, null, null, null, "10.0.0.2", null, Blocks.AUTO, false));
        assertThat(fleet.sshConfig().proxyJump()).isEqualTo(new SshProxy("bastion", 2222, "admin", "~/.ssh/bastion", null));
        assertThat(fleet.env().variables()).containsEntry("HTTP_PROXY", "http://proxy:80").containsEntry("HF_TOKEN", null);

        JsonNode hosts = json("type: fleet\nssh_config: {hosts: [a, {hostname: b}]}").get("ssh_config").get("hosts");
        assertThat(hosts.get(0).asText()).isEqualTo("a");
        assertThat(hosts.get(1).get("hostname").asText()).isEqualTo("b");
        assertThat(hosts.get(1).has("internal_ip")).isTrue();
        assertThat(json("type: fleet\nssh_config: {hosts: [a], ssh_key: {public: p}}").get("ssh_config").get("ssh_key").toString())
                .isEqualTo("{\"public\":\"p\",\"private\":null}");
    }

    @Test
    void unknownFieldsAreReportedWithASuggestion() {
        List<ValidationError> errors = errors("type: fleet\nnodes: 2\nplacment: cluster");
        assertThat(errors).extracting(ValidationError::loc).containsExactly("fleet.placment");
        assertThat(errors.get(0).message()).contains("did you mean 'placement'?");
    }

    @Test
    void oddValuesAnywhereGiveConfigurationErrorsNeverCrashes() {
        List<String> fields = List.of("name", "placement", "blocks", "nodes", "reservation", "resources", "backends", "regions",
                "spot_policy", "retry", "max_price", "idle_duration", "tags", "backend_options", "ssh_config", "env");
        List<String> odd = List.of("null", "[]", "{}", "[null]", "{a: null}", "-1", "2.5", "true", "''", "'..'", "x..y", "1e400",
                "99999999999999999999", "{min: {}}", "{hosts: [{}]}", "[{type: x}]");
        for (String field : fields) {
            for (String value : odd) {
                parsesOrFailsCleanly("type: fleet\n" + field + ": " + value);
            }
        }
        for (String field : List.of("user", "port", "identity_file", "ssh_key", "proxy_jump", "hosts", "network")) {
            for (String value : odd) {
                parsesOrFailsCleanly("type: fleet\nssh_config:\n  hosts: [a]\n  " + field + ": " + value);
                parsesOrFailsCleanly("type: fleet\nssh_config:\n  hosts: [{hostname: a, " + field + ": " + value + "}]");
            }
        }
    }
}
