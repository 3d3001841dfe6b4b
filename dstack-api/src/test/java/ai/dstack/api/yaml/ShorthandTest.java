package ai.dstack.api.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.ValidationError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each shorthand grammar dstack accepts, read inside a minimal task, and its malformed forms. */
class ShorthandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode task(String field, String yamlValue) {
        return reread(DstackYaml.toJsonTree(DstackYaml.parse("type: task\ncommands: [x]\n" + field + ": " + yamlValue + "\n", "t.yml")));
    }

    /** Through text and back, so numbers get the node types a reader gives them. */
    private static JsonNode reread(JsonNode node) {
        try {
            return JSON.readTree(node.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode resources(String field, String yamlValue) {
        return task("resources", "{" + field + ": " + yamlValue + "}").get("resources").get(field);
    }

    private static ValidationError rejected(String yaml) {
        ConfigurationException e = (ConfigurationException) org.assertj.core.api.Assertions.catchThrowable(
                () -> DstackYaml.parse(yaml, "t.yml"));
        assertThat(e).as("expected %s to be rejected", yaml).isNotNull();
        return e.errors().get(0);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "A100:80GB:2      | {\"vendor\":null,\"name\":[\"A100\"],\"count\":{\"min\":2,\"max\":2},\"memory\":{\"min\":80.0,\"max\":80.0},\"total_memory\":null,\"compute_capability\":null}",
        "24GB..           | {\"vendor\":null,\"name\":null,\"count\":{\"min\":1,\"max\":null},\"memory\":{\"min\":24.0,\"max\":null},\"total_memory\":null,\"compute_capability\":null}",
        "1..2             | {\"vendor\":null,\"name\":null,\"count\":{\"min\":1,\"max\":2},\"memory\":null,\"total_memory\":null,\"compute_capability\":null}",
        "'A100,H100:2'    | {\"vendor\":null,\"name\":[\"A100\",\"H100\"],\"count\":{\"min\":2,\"max\":2},\"memory\":null,\"total_memory\":null,\"compute_capability\":null}",
        "amd:MI300X:8     | {\"vendor\":\"amd\",\"name\":[\"MI300X\"],\"count\":{\"min\":8,\"max\":8},\"memory\":null,\"total_memory\":null,\"compute_capability\":null}",
        "tpu-v5e-8        | {\"vendor\":null,\"name\":[\"v5e-8\"],\"count\":{\"min\":1,\"max\":null},\"memory\":null,\"total_memory\":null,\"compute_capability\":null}",
        "2                | {\"vendor\":null,\"name\":null,\"count\":{\"min\":2,\"max\":2},\"memory\":null,\"total_memory\":null,\"compute_capability\":null}",
        "nvidia:16GB      | {\"vendor\":\"nvidia\",\"name\":null,\"count\":{\"min\":1,\"max\":null},\"memory\":{\"min\":16.0,\"max\":16.0},\"total_memory\":null,\"compute_capability\":null}",
        "'{name: A10G, compute_capability: 7.5}' | {\"vendor\":null,\"name\":[\"A10G\"],\"count\":{\"min\":1,\"max\":null},\"memory\":null,\"total_memory\":null,\"compute_capability\":[7,5]}",
    })
    void gpuShorthands(String input, String expected) throws Exception {
        assertThat(resources("gpu", input.replace("'", "").startsWith("{") ? input.substring(1, input.length() - 1) : input))
                .isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "A100:abc      | Value error, GPU spec name conflict: A100:abc",
        "A100::2       | Value error, GPU spec contains empty token: A100::2",
        "'2:3'         | Value error, GPU spec count conflict: 2:3",
        "'A100,:2'     | Value error, GPU name can not be empty: A100,:2",
        "nvidia:amd    | Value error, GPU spec vendor conflict: nvidia:amd",
        "'4..2'        | Value error, Invalid range order: 4..2",
    })
    void malformedGpu(String input, String message) {
        ValidationError error = rejected("type: task\ncommands: [x]\nresources:\n  gpu: " + input + "\n");
        assertThat(error.loc()).startsWith("task.resources.gpu");
        assertThat(error.message()).isEqualTo(message);
        assertThat(error.line()).isEqualTo(4);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "8          | {\"arch\":null,\"count\":{\"min\":8,\"max\":8}}",
        "arm:8..    | {\"arch\":\"arm\",\"count\":{\"min\":8,\"max\":null}}",
        "'x86:4..8' | {\"arch\":\"x86\",\"count\":{\"min\":4,\"max\":8}}",
        "aarch64    | {\"arch\":\"arm\",\"count\":{\"min\":2,\"max\":null}}",
        "{min: 2, max: 4}   | {\"arch\":null,\"count\":{\"min\":2,\"max\":4}}",
    })
    void cpuShorthands(String input, String expected) throws Exception {
        assertThat(resources("cpu", input)).isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "sparc:8 | Value error, Invalid CPU architecture: sparc:8",
        "'8:9'   | Value error, CPU spec count conflict: 8:9",
        "'8..2'  | Value error, Invalid range order: 8..2",
        "'..'    | Value error, Invalid empty range: ..",
    })
    void malformedCpu(String input, String message) {
        ValidationError error = rejected("type: task\ncommands: [x]\nresources:\n  cpu: " + input + "\n");
        assertThat(error.loc()).startsWith("task.resources.cpu");
        assertThat(error.message()).isEqualTo(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "512MB      | {\"min\":0.5,\"max\":0.5}",
        "1TB        | {\"min\":1024.0,\"max\":1024.0}",
        "'16 GB..'  | {\"min\":16.0,\"max\":null}",
        "'..64GB'   | {\"min\":null,\"max\":64.0}",
        "32         | {\"min\":32.0,\"max\":32.0}",
        "'8GB..16GB' | {\"min\":8.0,\"max\":16.0}",
    })
    void memoryUnitsAndRanges(String input, String expected) throws Exception {
        assertThat(resources("memory", input)).isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "100GB..  | {\"size\":{\"min\":100.0,\"max\":null}}",
        "200GB    | {\"size\":{\"min\":200.0,\"max\":200.0}}",
        "{size: 1TB..}   | {\"size\":{\"min\":1024.0,\"max\":null}}",
    })
    void diskShorthands(String input, String expected) throws Exception {
        assertThat(resources("disk", input)).isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "max_duration  | 90s   | 90",
        "max_duration  | 30m   | 1800",
        "max_duration  | 2h    | 7200",
        "max_duration  | 1d    | 86400",
        "max_duration  | 1w    | 604800",
        "max_duration  | 600   | 600",
        "max_duration  | off   | \"off\"",
        "max_duration  | false | \"off\"",
        "stop_duration | '300' | 300",
        "idle_duration | off   | -1",
        "idle_duration | -1    | -1",
        "idle_duration | 1h    | 3600",
    })
    void durations(String field, String input, String expected) throws Exception {
        assertThat(task(field, input).get(field)).isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "max_duration | 2x   | Value error, Cannot parse the duration 2x",
        "max_duration | -5   | Value error, Duration cannot be negative",
        "max_duration | h2   | Value error, Cannot parse the duration h2",
    })
    void malformedDurations(String field, String input, String message) {
        ValidationError error = rejected("type: task\ncommands: [x]\n" + field + ": " + input + "\n");
        assertThat(error.loc()).isEqualTo("task." + field);
        assertThat(error.message()).isEqualTo(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "'[A=b, HF_TOKEN]'       | {\"A\":\"b\",\"HF_TOKEN\":{\"key\":\"HF_TOKEN\"}}",
        "'{A: b, PORT: 8080}'    | {\"A\":\"b\",\"PORT\":\"8080\"}",
        "'[A=x=y]'               | {\"A\":\"x=y\"}",
    })
    void envForms(String input, String expected) throws Exception {
        assertThat(task("env", input.substring(1, input.length() - 1)).get("env")).isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "'[8000]'      | [{\"local_port\":8000,\"container_port\":8000}]",
        "'[\"80:8080\"]' | [{\"local_port\":80,\"container_port\":8080}]",
        "'[\"*:8080\"]'  | [{\"local_port\":null,\"container_port\":8080}]",
        "'[{container_port: 22}]' | [{\"local_port\":null,\"container_port\":22}]",
    })
    void portForms(String input, String expected) throws Exception {
        assertThat(task("ports", input.substring(1, input.length() - 1)).get("ports")).isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "'[my-vol:/data]'        | [{\"name\":\"my-vol\",\"path\":\"/data\"}]",
        "'[/host/dir:/data/]'     | [{\"instance_path\":\"/host/dir\",\"path\":\"/data\",\"optional\":false}]",
        "'[{name: [a, b], path: /d}]' | [{\"name\":[\"a\",\"b\"],\"path\":\"/d\"}]",
    })
    void volumeForms(String input, String expected) throws Exception {
        assertThat(task("volumes", input.substring(1, input.length() - 1)).get("volumes")).isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "true                         | true",
        "{duration: 2h}               | {\"on_events\":null,\"duration\":7200}",
        "{on_events: [error]}         | {\"on_events\":[\"error\"],\"duration\":null}",
    })
    void retryForms(String input, String expected) throws Exception {
        assertThat(task("retry", input).get("retry")).isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "python: 3.10 | python | \"3.10\"",
        "python: '3.12' | python | \"3.12\"",
        "priority: '50' | priority | 50",
        "privileged: yes | privileged | true",
        "nodes: 2.0 | nodes | 2",
        "name: 123 | name | \"123\"",
    })
    void pydanticCoercions(String line, String field, String expected) throws Exception {
        JsonNode conf = reread(DstackYaml.toJsonTree(DstackYaml.parse("type: task\ncommands: [x]\n" + line + "\n", "t.yml")));
        assertThat(conf.get(field)).isEqualTo(json(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', quoteCharacter = '~', value = {
        "nodes: 2.5       # task.nodes      # Input should be a valid integer, got a number with a fractional part",
        "privileged: maybe # task.privileged # Input should be a valid boolean, unable to interpret input",
        "ports: [70000]   # task.ports.0.local_port # Input should be less than or equal to 65535",
        "commnds: [y]     # task.commnds    # Extra inputs are not permitted (did you mean 'commands'?)",
        "spot_policy: cheap # task.spot_policy # Input should be 'spot', 'on-demand' or 'auto'",
        "env: 5           # task.env        # Input should be a valid list or a valid dictionary of environment variables",
        "env: ['1A=b']    # task.env.0      # String should match pattern '^([a-zA-Z_][a-zA-Z0-9_]*)(=.*$|$)'",
        "python: 2.7      # task.python     # Value error, '2.7' is not a valid PythonVersion",
    })
    void malformedFields(String line, String loc, String message) {
        ValidationError error = rejected("type: task\ncommands: [x]\n" + line + "\n");
        assertThat(error.loc()).isEqualTo(loc);
        assertThat(error.message()).isEqualTo(message);
        assertThat(error.line()).isEqualTo(3);
    }

    @org.junit.jupiter.api.Test
    void everyErrorOfAFileIsReportedWithItsPlace() {
        ConfigurationException e = (ConfigurationException) org.assertj.core.api.Assertions.catchThrowable(() -> DstackYaml.parse(
                "type: task\ncommands: [x]\nnodes: 0\nresources:\n  gpu: A100:abc\nspot_policy: cheap\n", "bad.yml"));
        assertThat(e.errors()).extracting(ValidationError::loc)
                .containsExactlyInAnyOrder("task.nodes", "task.resources.gpu", "task.spot_policy");
        assertThat(e.errors()).extracting(ValidationError::toString)
                .contains("bad.yml:3:8: task.nodes: Input should be greater than or equal to 1");
    }

    @org.junit.jupiter.api.Test
    void yamlSyntaxErrorsNameTheLine() {
        ValidationError error = rejected("type: task\ncommands: [x\nname: y\n");
        assertThat(error.loc()).isEqualTo("yaml");
        assertThat(error.message()).startsWith("Invalid YAML");
        assertThat(error.line()).isGreaterThan(1);
    }

    @org.junit.jupiter.api.Test
    void yamlOneOneScalarsAreTypedAsPyYamlTypesThem() throws Exception {
        // `1e5` is text in YAML 1.1 (no dot), `0o17`-style octal is `017`, `on` is true, `1:30` is base 60.
        assertThat(task("env", "{A: 1e5, B: 017, C: 1:30, D: 0x1F}").get("env"))
                .isEqualTo(json("{\"A\":\"1e5\",\"B\":\"15\",\"C\":\"90\",\"D\":\"31\"}"));
        assertThat(task("privileged", "on").get("privileged").asBoolean()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void aTypeThatIsNotADstackTypeIsRejected() {
        assertThatThrownBy(() -> DstackYaml.parse("type: job\ncommands: [x]\n", "t.yml"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("type")
                .hasMessageContaining("'task'");
        assertThatThrownBy(() -> DstackYaml.parse("commands: [x]\n", "t.yml"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no `type` field");
        assertThatThrownBy(() -> DstackYaml.parse("", "t.yml"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("empty");
    }
}
