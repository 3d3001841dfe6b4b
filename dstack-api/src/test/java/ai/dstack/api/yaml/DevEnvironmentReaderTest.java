package ai.dstack.api.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.DevEnvironmentConfiguration;
import ai.dstack.api.configuration.Ide;
import ai.dstack.api.configuration.PortMapping;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DevEnvironmentReaderTest {
    private static DevEnvironmentConfiguration dev(String yaml) {
        return DstackYaml.parse("type: dev-environment\n" + yaml, "dev.yml", DevEnvironmentConfiguration.class);
    }

    private static List<ValidationError> errors(String yaml) {
        try {
            DstackYaml.parse("type: dev-environment\n" + yaml, "dev.yml");
        } catch (ConfigurationException e) {
            return e.errors();
        }
        throw new AssertionError("expected the dev environment to be rejected:\n" + yaml);
    }

    @Test
    void aDevEnvironmentNeedsNothingButItsType() {
        DevEnvironmentConfiguration d = dev("");
        assertThat(d.ide()).isNull();
        assertThat(d.ports()).isEmpty();
        assertThat(d.init()).isEmpty();
        assertThat(d.inactivityDuration()).isNull();
        JsonNode json = DstackYaml.toJsonTree(d);
        assertThat(json.get("type").asText()).isEqualTo("dev-environment");
        assertThat(json.has("commands")).isFalse();
        assertThat(json.get("init").isArray()).isTrue();
        assertThat(json.get("inactivity_duration").isNull()).isTrue();
    }

    @Test
    void theIdeIsOneOfDstacksFour() {
        assertThat(dev("ide: zed").ide()).isEqualTo(Ide.ZED);
        assertThat(errors("ide: emacs")).extracting(ValidationError::loc, ValidationError::message)
                .containsExactly(Tuple.tuple("dev-environment.ide",
                        "Input should be 'vscode', 'cursor', 'windsurf' or 'zed'"));
    }

    @Test
    void aVersionNeedsAnIdeAndWindsurfsNeedsACommit() {
        assertThat(dev("ide: vscode\nversion: 1.80.1").version()).isEqualTo("1.80.1");
        assertThat(dev("ide: windsurf\nversion: 1.106.0@8951cd3a").version()).isEqualTo("1.106.0@8951cd3a");
        assertThat(errors("version: 1.80.1")).extracting(ValidationError::message)
                .containsExactly("Value error, `version` requires `ide` to be set");
        assertThat(errors("ide: windsurf\nversion: 1.106.0")).extracting(ValidationError::message).singleElement()
                .asString().startsWith("Value error, Invalid Windsurf version format: `1.106.0`");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "2h     | 7200",
            "90     | 90",
            "'30m'  | 1800",
            "off    | NULL",
            "false  | NULL",
            "true   | NULL"})
    void inactivityDurationIsSecondsOrOff(String written, Long seconds) {
        assertThat(dev("inactivity_duration: " + written).inactivityDuration()).isEqualTo(seconds);
    }

    @Test
    void badInactivityDurationsAreNamed() {
        assertThat(errors("inactivity_duration: soon")).extracting(ValidationError::loc, ValidationError::message)
                .containsExactly(Tuple.tuple("dev-environment.inactivity_duration",
                        "Value error, Cannot parse the duration soon"));
        assertThat(errors("inactivity_duration: -5")).extracting(ValidationError::message)
                .containsExactly("Value error, Duration cannot be negative");
        assertThat(errors("dstack: true\ninactivity_duration: 1h")).extracting(ValidationError::loc, ValidationError::message)
                .containsExactly(Tuple.tuple("dev-environment",
                        "Value error, `dstack` is not supported together with `inactivity_duration`"));
        assertThat(dev("dstack: true\ninactivity_duration: off").base().dstack()).isTrue();
    }

    @Test
    void entrypointAndCommandsAreNotForDevEnvironments() {
        assertThat(errors("entrypoint: /bin/bash")).extracting(ValidationError::loc, ValidationError::message)
                .containsExactly(Tuple.tuple("dev-environment.entrypoint",
                        "Value error, entrypoint is not supported for dev-environment"));
        assertThat(errors("commands: [x]")).extracting(ValidationError::loc).containsExactly("dev-environment.commands");
    }

    @Test
    void portsAndInitAreRead() {
        DevEnvironmentConfiguration d = dev("ports: [8080, '3000:3001', '*:22']\ninit: [pip install x]");
        assertThat(d.ports()).containsExactly(new PortMapping(8080, 8080), new PortMapping(3000, 3001), new PortMapping(null, 22));
        assertThat(d.init()).containsExactly("pip install x");
    }

    @Test
    void everyMalformedValueIsAConfigurationErrorNamingTheField() {
        List<String> fields = List.of("ide", "version", "init", "inactivity_duration", "ports", "entrypoint");
        List<String> values = List.of("-1", "1.5", "'x'", "[]", "[1]", "[{}]", "{}", "{a: 1}", "true", "99999999999999999999999");
        for (String field : fields) {
            for (String value : values) {
                String yaml = "type: dev-environment\n" + field + ": " + value + "\n";
                try {
                    DstackYaml.parse(yaml, "dev.yml");
                } catch (ConfigurationException e) {
                    assertThat(e.errors()).as(yaml).isNotEmpty().allSatisfy(err -> assertThat(err.line()).isPositive());
                    assertThat(e.errors()).as(yaml).anySatisfy(err -> assertThat(err.loc()).startsWith("dev-environment"));
                }
            }
        }
    }
}
