package ai.dstack.api.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The corpus of real {@code .dstack.yml} files with dstack's own verdicts. It is not part of the repository: it is
 * named by {@value #PROPERTY} (system property) or {@value #VARIABLE} (environment), or found as
 * {@code shared/corpus/configurations} above the working directory. Without it, the tests that need it are skipped
 * (not failed) with one line saying so, so that a fresh clone builds. The server's and the CLI's tests use it through
 * this module's test jar.
 */
public final class Corpus {
    public static final String PROPERTY = "dstack.corpus.dir";
    public static final String VARIABLE = "DSTACK_CORPUS_DIR";

    private static boolean noticePrinted;

    private Corpus() {}

    /** Whether the corpus is there (tests that need it call {@code directory()}, which skips them otherwise). */
    public static boolean available() {
        String named = System.getProperty(PROPERTY, System.getenv(VARIABLE));
        if (named != null && !named.isBlank()) {
            return Files.isDirectory(Path.of(named));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("shared/corpus/configurations"))) {
                return true;
            }
        }
        return false;
    }

    /** The corpus directory; skips the calling test when there is none. */
    public static Path directory() {
        String named = System.getProperty(PROPERTY, System.getenv(VARIABLE));
        if (named != null && !named.isBlank()) {
            Path dir = Path.of(named).toAbsolutePath();
            if (!Files.isDirectory(dir)) {
                skip("needs dstack's corpus of configurations: " + VARIABLE + " / -D" + PROPERTY + " names " + dir
                        + ", which is not a directory");
            }
            return dir;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/corpus/configurations");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return skip("needs dstack's corpus of configurations (shared/corpus/configurations above "
                + Path.of("").toAbsolutePath() + "): set " + VARIABLE + " or -D" + PROPERTY + " to its directory");
    }

    /**
     * Skips the calling test. The reason is also printed once on the build's console: surefire sends tests' own
     * output to report files and shows skipped tests only as a count.
     */
    private static <T> T skip(String reason) {
        synchronized (Corpus.class) {
            if (!noticePrinted) {
                noticePrinted = true;
                PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
                console.println("[corpus] skipping the corpus tests: " + reason);
            }
        }
        return Assumptions.abort(reason);
    }

    public static List<Path> files() {
        try (Stream<Path> files = Files.list(directory())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".dstack.yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code NAME.dstack.yml} of the corpus, as an absolute path; skips the calling test without a corpus. */
    public static Path file(String name) {
        Path file = directory().resolve(name + ".dstack.yml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no corpus file " + file);
        }
        return file;
    }

    /** dstack's own verdict on {@code NAME.dstack.yml}: {@code NAME.expected.json}. */
    public static JsonNode expected(String name) {
        try {
            return new ObjectMapper().readTree(directory().resolve(name + ".expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code loc} of each error dstack reports for {@code NAME}, in order. */
    public static List<String> expectedLocs(String name) {
        List<String> locs = new ArrayList<>();
        expected(name).path("errors").forEach(error -> locs.add(error.path("loc").asText()));
        return locs;
    }

    public static Path expectedFor(Path yaml) {
        String name = yaml.getFileName().toString();
        return yaml.resolveSibling(name.substring(0, name.length() - ".dstack.yml".length()) + ".expected.json");
    }
}
