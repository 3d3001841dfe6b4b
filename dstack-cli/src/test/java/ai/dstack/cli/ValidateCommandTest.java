package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.yaml.Corpus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code dstack validate}, run in-process against files of the shared corpus and files made on the spot. */
class ValidateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALID = "crafted-cpu-mem-disk";
    private static final String INVALID = "crafted-neg-gpu-garbage";

    @Test
    void noFilesIsAUsageError() {
        CliRun run = CliRun.of("validate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).containsExactly(
                "Error: Missing required parameter: 'FILE'",
                "Run 'dstack validate --help' for usage.");
    }

    @Test
    void missingFileIsAUsageErrorNamingTheFile(@TempDir Path dir) {
        String missing = dir.resolve("x.yml").toString();

        CliRun run = CliRun.of("validate", missing);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).containsExactly("Error: cannot read " + missing + ": no such file");
    }

    @Test
    void directoryIsAUsageError(@TempDir Path dir) {
        CliRun run = CliRun.of("validate", dir.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("Error: cannot read " + dir + ": is a directory");
    }

    @Test
    void fileThatIsNotUtf8IsAUsageError(@TempDir Path dir) throws IOException {
        Path binary = Files.write(dir.resolve("latin1.yml"), new byte[] {'t', 'y', 'p', 'e', ':', ' ', (byte) 0xE9});

        CliRun run = CliRun.of("validate", binary.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("Error: cannot read " + binary + ": not UTF-8 text");
    }

    @Test
    void aMistypedKeyIsReportedWhereTheKeyIsNotWhereItsValueIs(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("typo.dstack.yml"),
                "type: task\ncomands:\n  - echo hi\nresources:\n  gpu: 0\n  dsik: 10GB\n");

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.outLines()).containsExactlyInAnyOrder(
                file + ":2:1: task.comands: Extra inputs are not permitted (did you mean 'commands'?)",
                file + ":6:3: task.resources.dsik: Extra inputs are not permitted");
    }

    @Test
    void validFileIsReportedOk() {
        String file = Corpus.file(VALID).toString();

        CliRun run = CliRun.of("validate", file);

        assertThat(run.err()).isEmpty();
        assertThat(run.outLines()).containsExactly(file + ": OK");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void invalidFileGetsOneLinePerErrorWithFileLineAndColumn() {
        String file = Corpus.file(INVALID).toString();

        CliRun run = CliRun.of("validate", file);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEmpty();
        // The file's line 4 is "  gpu: A100:abc": the bad value starts in column 8.
        assertThat(run.outLines()).singleElement().asString()
                .startsWith(file + ":4:8: task.resources.gpu: ")
                .hasSizeGreaterThan((file + ":4:8: task.resources.gpu: ").length());
    }

    @Test
    void everyErrorOfAFileIsReportedInOrder() {
        String name = "crafted-neg-port-range";
        String file = Corpus.file(name).toString();

        CliRun run = CliRun.of("validate", file);

        assertThat(run.exitCode()).isEqualTo(1);
        List<String> locs = run.outLines().stream()
                .map(line -> {
                    assertThat(line).matches(Pattern.quote(file) + ":\\d+:\\d+: \\S+: .+");
                    return line.substring(file.length()).split(": ", 3)[1];
                })
                .toList();
        assertThat(locs).containsExactlyElementsOf(Corpus.expectedLocs(name));
    }

    @Test
    void otherFilesAreStillCheckedAfterAMissingOneAndUsageErrorWins(@TempDir Path dir) {
        String missing = dir.resolve("missing.yml").toString();
        String valid = Corpus.file(VALID).toString();
        String invalid = Corpus.file(INVALID).toString();

        CliRun run = CliRun.of("validate", missing, invalid, valid);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("Error: cannot read " + missing + ": no such file");
        assertThat(run.outLines()).hasSize(2);
        assertThat(run.outLines().get(0)).startsWith(invalid + ":");
        assertThat(run.outLines().get(1)).isEqualTo(valid + ": OK");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "crafted-cpu-mem-disk",
        "crafted-gpu-names-count",
        "crafted-env-map",
        "crafted-retry-full",
        "task--mkdocs-docs-concepts-tasks-0--32b797f1ef",
    })
    void jsonOfAValidFileCarriesDstacksConfiguration(String name) throws IOException {
        String file = Corpus.file(name).toString();
        JsonNode expected = Corpus.expected(name);

        CliRun run = CliRun.of("validate", "--json", file);

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        JsonNode line = JSON.readTree(run.outLines().get(0));
        assertThat(run.outLines()).hasSize(1);
        assertThat(fieldNames(line)).containsExactly("file", "valid", "type", "configuration");
        assertThat(line.get("file").asText()).isEqualTo(file);
        assertThat(line.get("valid").asBoolean()).isTrue();
        assertThat(line.get("type")).isEqualTo(expected.get("type"));
        assertThat(line.get("configuration")).isEqualTo(expected.get("configuration"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"crafted-neg-gpu-garbage", "crafted-neg-port-range", "crafted-neg-nodes-zero"})
    void jsonOfAnInvalidFileListsDstacksErrorLocations(String name) throws IOException {
        String file = Corpus.file(name).toString();

        CliRun run = CliRun.of("validate", "--json", file);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.outLines()).hasSize(1);
        JsonNode line = JSON.readTree(run.outLines().get(0));
        assertThat(fieldNames(line)).containsExactly("file", "valid", "errors");
        assertThat(line.get("file").asText()).isEqualTo(file);
        assertThat(line.get("valid").asBoolean()).isFalse();
        List<String> locs = new ArrayList<>();
        for (JsonNode error : line.get("errors")) {
            assertThat(fieldNames(error)).containsExactly("loc", "msg");
            assertThat(error.get("msg").asText()).isNotBlank();
            locs.add(error.get("loc").asText());
        }
        assertThat(locs).containsExactlyElementsOf(Corpus.expectedLocs(name));
    }

    @Test
    void jsonPrintsOneCompactLinePerFileInTheOrderGiven() throws IOException {
        String invalid = Corpus.file(INVALID).toString();
        String valid = Corpus.file(VALID).toString();

        CliRun run = CliRun.of("validate", "--json", invalid, valid);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.outLines()).hasSize(2);
        assertThat(JSON.readTree(run.outLines().get(0)).get("file").asText()).isEqualTo(invalid);
        assertThat(JSON.readTree(run.outLines().get(1)).get("file").asText()).isEqualTo(valid);
    }

    @Test
    void fileIsNamedAsGivenNotAsResolved(@TempDir Path dir) throws IOException {
        Files.copy(Corpus.file(VALID), dir.resolve("x.dstack.yml"));
        String asGiven = dir + "/./x.dstack.yml";

        CliRun run = CliRun.of("validate", "--json", asGiven);

        assertThat(run.exitCode()).isZero();
        assertThat(JSON.readTree(run.out()).get("file").asText()).isEqualTo(asGiven);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
