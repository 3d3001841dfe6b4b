package ai.dstack.build.internal;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.yaml.DstackYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Finds a project's {@code .dstack.yml} / {@code *.dstack.yml} files and checks them as {@code dstack validate} does. */
public final class ConfigurationFiles {
    /** Build outputs and tool state: never the user's configurations. */
    private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", "build", "node_modules", "out");

    private ConfigurationFiles() {}

    /** Whether dstack would take {@code file} for a configuration by its name. */
    public static boolean isConfigurationFile(Path file) {
        String name = file.getFileName().toString();
        return name.equals(".dstack.yml") || name.endsWith(".dstack.yml");
    }

    /** Every configuration file under {@code root}, sorted, skipping hidden directories and build outputs. */
    public static List<Path> find(Path root) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(root)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String name = dir.getFileName().toString();
                    return name.startsWith(".") || SKIPPED_DIRECTORIES.contains(name)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && isConfigurationFile(file)) {
                        found.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + root, e);
        }
        found.sort(null);
        return found;
    }

    /**
     * Every problem of {@code file} as {@code FILE:LINE:COL: FIELD: MESSAGE} lines, the file named as {@code shownAs};
     * empty when it is valid.
     */
    public static List<String> problems(Path file, String shownAs) {
        try {
            DstackYaml.parse(text(file, shownAs), shownAs);
            return List.of();
        } catch (ConfigurationException e) {
            return e.errors().stream()
                    .map(error -> error.source() != null ? error
                            : new ValidationError(error.loc(), error.message(), shownAs, error.line(), error.column()))
                    .map(ValidationError::toString)
                    .toList();
        } catch (DstackBuildException e) {
            return List.of(e.getMessage());
        }
    }

    /**
     * The configuration in {@code file}.
     *
     * @throws DstackBuildException listing every problem, one per line, when the file is unreadable or invalid
     */
    public static Configuration read(Path file, String shownAs) {
        List<String> problems = problems(file, shownAs);
        if (!problems.isEmpty()) {
            throw new DstackBuildException(shownAs + " is not a valid dstack configuration:" + System.lineSeparator()
                    + String.join(System.lineSeparator(), problems));
        }
        return DstackYaml.parse(text(file, shownAs), shownAs);
    }

    private static String text(Path file, String shownAs) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new DstackBuildException(shownAs + ": no such file");
        } catch (CharacterCodingException e) {
            throw new DstackBuildException(shownAs + ": not UTF-8 text");
        } catch (IOException e) {
            throw new DstackBuildException(shownAs + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** {@code file} relative to {@code base} when it is under it, for messages; else as given. */
    public static String shownAs(Path file, Path base) {
        Path absolute = file.toAbsolutePath().normalize();
        Path root = base.toAbsolutePath().normalize();
        return absolute.startsWith(root) ? root.relativize(absolute).toString() : file.toString();
    }
}
