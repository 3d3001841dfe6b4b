package ai.dstack.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's "Use it from Java" stays true: its example is the one ExamplesTest and the consumer build run, every
 * artifact it names is in the BOM at this version, and the BOM names every artifact the build publishes.
 */
class ReadmeAndBomTest {
    private static final Path ROOT = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    private static final String VERSION = System.getProperty("project.version");
    /** Modules that are not published for applications: tests, examples, benchmarks. */
    private static final Set<String> UNPUBLISHED = Set.of("examples", "dstack-bench", "dstack-engine-tests", "dstack-consumer-tests");

    private static String section() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("## Use it from Java");
        assertThat(start).as("README has a 'Use it from Java' section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static List<String> javaBlock(String markdown) {
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        assertThat(block.find()).as("a java block").isTrue();
        return block.group(1).lines().toList();
    }

    /** The lines between the README markers of a source file, with their common indent removed. */
    private static List<String> between(Path source, String startMarker, String endMarker) throws IOException {
        List<String> lines = Files.readAllLines(source);
        int start = indexOf(lines, startMarker);
        int end = indexOf(lines, endMarker);
        return dedent(lines.subList(start + 1, end));
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError("no line '" + marker + "'");
    }

    private static List<String> dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }

    @Test
    void theExampleIsTheProgramTheTestsRun() throws IOException {
        List<String> readme = javaBlock(section());
        List<String> example = between(ROOT.resolve("examples/src/main/java/ai/dstack/examples/EmbedAndRun.java"),
                "// README: begin", "// README: end");
        assertThat(readme).isEqualTo(example);
        assertThat(readme.size()).as("about ten lines").isLessThanOrEqualTo(10);

        String consumer = Files.readString(ROOT.resolve(
                "dstack-consumer-tests/src/it/consumer/embed/src/main/java/com/example/embed/EmbedAndRun.java"));
        for (String line : readme) {
            assertThat(consumer).as("the consumer build's program").contains(line.strip());
        }
    }

    @Test
    void everyArtifactTheSectionNamesIsInTheBomAtThisVersion() throws IOException {
        String section = section();
        Set<String> managed = bomArtifacts();
        Matcher named = Pattern.compile("ai\\.dstack:([a-z.-]+)").matcher(section);
        Set<String> mentioned = new TreeSet<>();
        while (named.find()) {
            mentioned.add(named.group(1).replaceAll(":.*", ""));
        }
        Matcher artifactIds = Pattern.compile("<artifactId>(dstack-[a-z-]+)</artifactId>").matcher(section);
        while (artifactIds.find()) {
            mentioned.add(artifactIds.group(1));
        }
        mentioned.remove("dstack-bom");
        assertThat(mentioned).contains("dstack-embedded", "dstack-client", "dstack-postgres", "dstack-maven-plugin");
        assertThat(managed).containsAll(mentioned);

        Matcher versions = Pattern.compile("(?:<version>|dstack-bom:|version \")([0-9][^<\"]*)").matcher(section);
        List<String> found = new ArrayList<>();
        while (versions.find()) {
            found.add(versions.group(1));
        }
        assertThat(found).isNotEmpty().allMatch(VERSION::equals);
    }

    @Test
    void theBomManagesEveryPublishedModule() throws IOException {
        String root = Files.readString(ROOT.resolve("pom.xml"));
        Set<String> published = new TreeSet<>();
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(root);
        while (modules.find()) {
            String pom = Files.readString(ROOT.resolve(modules.group(1)).resolve("pom.xml"));
            String artifactId = firstArtifactIdAfterParent(pom);
            if (!UNPUBLISHED.contains(artifactId) && !artifactId.equals("dstack-bom")) {
                published.add(artifactId);
            }
        }
        assertThat(bomArtifacts()).isEqualTo(published);
        assertThat(Files.readString(ROOT.resolve("dstack-bom/pom.xml"))).contains("<version>" + VERSION + "</version>");
    }

    private static Set<String> bomArtifacts() throws IOException {
        String bom = Files.readString(ROOT.resolve("dstack-bom/pom.xml"));
        Matcher managed = Pattern.compile("<artifactId>([^<]+)</artifactId><version>\\$\\{project.version}</version>").matcher(bom);
        Set<String> artifacts = new TreeSet<>();
        while (managed.find()) {
            artifacts.add(managed.group(1));
        }
        return artifacts;
    }

    private static String firstArtifactIdAfterParent(String pom) {
        String body = pom.replaceAll("(?s)<parent>.*?</parent>", "").replaceAll("(?s)<!--.*?-->", "");
        Matcher id = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(body);
        assertThat(id.find()).isTrue();
        return id.group(1);
    }

    static {
        assertThat(Files.isRegularFile(ROOT.resolve("README.md"))).as("repo root %s", ROOT).isTrue();
        assertThat(VERSION).isNotBlank();
    }
}
