package ai.dstack.api.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.configuration.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random mutations of corpus files: each must give a valid configuration (that survives a JSON round
 * trip) or a {@link ConfigurationException} with located errors; never any other exception.
 */
class MutationFuzzTest {
    private static final int MUTANTS = 6000;
    private static final String[] GARBAGE = {
        "", "~", "null", "[]", "{}", "-1", "0", "1e400", "99999999999999999999999", "3.5", ".inf", ".nan", "yes",
        "'..'", "A100:::", "\"\\u0000\"", "[[[[[[[[]]]]]]]]", "{a: {b: {c: {d: 1}}}}", "*anchor", "!!binary aGk=",
        "!custom x", "2..1", "8GB..4GB", "off", "-", "? x", "|\n  text", "'${{ secrets.X }}'", "[1, [2, {3: 4}]]",
        "0x7FFFFFFFFFFFFFFFF", "1:2:3:4", "'\u00e9\u00e8'", "2024-01-01", "&a [*a]",
    };

    @Test
    void mutatedCorpusFilesNeverFailWithAnythingButValidationErrors() throws Exception {
        Random random = new Random(20261123);
        List<String> sources = new ArrayList<>();
        for (Path file : Corpus.files()) {
            sources.add(Files.readString(file));
        }
        int valid = 0;
        int invalid = 0;
        for (int i = 0; i < MUTANTS; i++) {
            String original = sources.get(random.nextInt(sources.size()));
            String mutant = mutate(original, random);
            try {
                Configuration configuration = DstackYaml.parse(mutant, "mutant.yml");
                String json = DstackYaml.toJson(configuration);
                assertThat(DstackYaml.toJson(DstackYaml.fromJson(DstackYaml.toJsonTree(configuration))))
                        .as("round trip of\n%s", mutant).isEqualTo(json);
                valid++;
            } catch (ConfigurationException e) {
                assertThat(e.errors()).as("errors of\n%s", mutant).isNotEmpty();
                e.errors().forEach(error -> assertThat(error.message()).isNotBlank());
                invalid++;
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("unexpected " + e + " for mutant:\n" + mutant, e);
            }
        }
        assertThat(valid).as("some mutants stay valid").isGreaterThan(MUTANTS / 20);
        assertThat(invalid).as("most mutants are caught").isGreaterThan(MUTANTS / 4);
    }

    @Test
    void hugeAndDeeplyNestedDocumentsAreRefusedCleanly() {
        String deep = "type: task\ncommands: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
        String wide = "type: task\ncommands:\n" + "  - x\n".repeat(200_000);
        String bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ntype: task\n";
        for (String doc : List.of(deep, wide, bomb)) {
            try {
                DstackYaml.parse(doc, "big.yml");
            } catch (ConfigurationException e) {
                assertThat(e.errors()).isNotEmpty();
            }
        }
    }

    private static String mutate(String text, Random random) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && !lines.isEmpty(); e++) {
            int at = random.nextInt(lines.size());
            String line = lines.get(at);
            switch (random.nextInt(8)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, lines.get(random.nextInt(lines.size())));
                case 2 -> lines.set(at, replaceValue(line, GARBAGE[random.nextInt(GARBAGE.length)]));
                case 3 -> lines.set(at, line.isEmpty() ? line : line.substring(0, random.nextInt(line.length())));
                case 4 -> lines.set(at, "  ".repeat(random.nextInt(4)) + line.strip());
                case 5 -> lines.set(at, replaceValue(line, "[" + valueOf(line) + "]"));
                case 6 -> lines.set(at, replaceValue(line, "{x: " + valueOf(line) + "}"));
                default -> lines.set(at, swapCharacters(line, random));
            }
        }
        return String.join("\n", lines);
    }

    private static String valueOf(String line) {
        int colon = line.indexOf(": ");
        return colon < 0 ? line.strip() : line.substring(colon + 2);
    }

    private static String replaceValue(String line, String value) {
        int colon = line.indexOf(": ");
        if (colon >= 0) {
            return line.substring(0, colon + 2) + value;
        }
        int dash = line.indexOf("- ");
        return dash >= 0 ? line.substring(0, dash + 2) + value : value;
    }

    private static String swapCharacters(String line, Random random) {
        if (line.length() < 2) {
            return line + ":";
        }
        char[] chars = line.toCharArray();
        int i = random.nextInt(chars.length - 1);
        char c = chars[i];
        chars[i] = chars[i + 1];
        chars[i + 1] = c;
        return new String(chars);
    }
}
