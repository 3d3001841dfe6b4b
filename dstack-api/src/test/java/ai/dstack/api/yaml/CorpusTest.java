package ai.dstack.api.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.Configuration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every corpus file gets dstack's verdict: valid files produce exactly dstack's JSON, invalid ones an error at the
 * field dstack names.
 */
class CorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyCorpusFileGetsDstacksVerdict() {
        if (!Corpus.available()) { // one skipped test that says why, rather than none
            return Stream.of(DynamicTest.dynamicTest("the corpus", Corpus::directory));
        }
        return Corpus.files().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(file)));
    }

    private static void check(Path file) throws Exception {
        JsonNode expected = JSON.readTree(Corpus.expectedFor(file).toFile());
        String text = Files.readString(file);
        if (expected.get("valid").asBoolean()) {
            Configuration configuration;
            try {
                configuration = DstackYaml.parse(text, file.getFileName().toString());
            } catch (ConfigurationException e) {
                throw new AssertionError("dstack accepts this file, we reject it:\n" + e.getMessage(), e);
            }
            assertThat(configuration.type().wireValue()).isEqualTo(expected.get("type").asText());
            JsonNode actual = DstackYaml.toJsonTree(configuration);
            assertThat(JsonDiff.diff(expected.get("configuration"), actual)).as("differences from dstack's JSON").isEmpty();
            // JSON written by us reads back to the same configuration (the server receives this form).
            assertThat(DstackYaml.toJsonTree(DstackYaml.fromJson(actual))).isEqualTo(actual);
        } else {
            try {
                Configuration configuration = DstackYaml.parse(text, file.getFileName().toString());
                fail("dstack rejects this file, we accept it as " + DstackYaml.toJson(configuration));
            } catch (ConfigurationException e) {
                List<String> ours = e.errors().stream().map(ValidationError::loc).toList();
                List<String> theirs = new ArrayList<>();
                expected.get("errors").forEach(err -> theirs.add(normalize(err.get("loc").asText())));
                assertThat(ours.stream().anyMatch(loc -> theirs.stream().anyMatch(t -> sameField(loc, t))))
                        .as("our errors %s name a field dstack names: %s", e.getMessage(), theirs)
                        .isTrue();
                for (ValidationError error : e.errors()) {
                    assertThat(error.source()).isEqualTo(file.getFileName().toString());
                    assertThat(error.line()).as("line of %s", error).isPositive();
                }
            }
        }
    }

    /** dstack's locations name union branches ({@code list[constrained-str]}, {@code bool}); the field is the rest. */
    static String normalize(String loc) {
        List<String> tags = List.of("bool", "str", "int", "float", "list", "dict", "none");
        return Arrays.stream(loc.split("\\."))
                .filter(part -> !part.contains("[") && !tags.contains(part))
                .collect(Collectors.joining("."));
    }

    /** The same field, or one inside the other (we may point deeper or shallower than pydantic does). */
    static boolean sameField(String ours, String theirs) {
        return ours.equals(theirs) || ours.startsWith(theirs + ".") || theirs.startsWith(ours + ".");
    }
}
