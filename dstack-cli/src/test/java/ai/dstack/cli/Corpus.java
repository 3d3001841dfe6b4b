package ai.dstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared corpus of configurations ({@code shared/corpus/configurations} beside the checkout), found by walking up
 * from the working directory, so it works from the module dir, the repo root, or a worktree.
 */
final class Corpus {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = locate();

    private Corpus() {}

    /** {@code NAME.dstack.yml}, as an absolute path. */
    static Path file(String name) {
        Path file = DIR.resolve(name + ".dstack.yml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no corpus file " + file);
        }
        return file;
    }

    /** dstack's own verdict on {@code NAME.dstack.yml}: {@code NAME.expected.json}. */
    static JsonNode expected(String name) {
        try {
            return JSON.readTree(DIR.resolve(name + ".expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code loc} of each error dstack reports for {@code NAME}, in order. */
    static List<String> expectedLocs(String name) {
        List<String> locs = new ArrayList<>();
        expected(name).path("errors").forEach(error -> locs.add(error.path("loc").asText()));
        return locs;
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/corpus/configurations");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/corpus/configurations beside the checkout, looking up from "
                + Path.of("").toAbsolutePath());
    }
}
