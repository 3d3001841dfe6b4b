package ai.dstack.api.yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shared corpus of real {@code .dstack.yml} files with dstack's own verdicts, beside the checkout. */
public final class Corpus {
    private Corpus() {}

    public static Path directory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/corpus/configurations");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/corpus/configurations not found above " + Path.of("").toAbsolutePath());
    }

    public static List<Path> files() {
        try (Stream<Path> files = Files.list(directory())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".dstack.yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path expectedFor(Path yaml) {
        String name = yaml.getFileName().toString();
        return yaml.resolveSibling(name.substring(0, name.length() - ".dstack.yml".length()) + ".expected.json");
    }
}
