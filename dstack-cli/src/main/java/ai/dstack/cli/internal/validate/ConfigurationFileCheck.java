package ai.dstack.cli.internal.validate;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.ValidationError;
import ai.dstack.api.yaml.DstackYaml;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reads one {@code .dstack.yml} file and validates it with dstack-api's parser. */
public final class ConfigurationFileCheck {

    public FileVerdict check(String file) {
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            return new FileVerdict.Unreadable(file, "not a valid path (" + e.getReason() + ")");
        }
        if (Files.isDirectory(path)) {
            return new FileVerdict.Unreadable(file, "is a directory");
        }
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            return new FileVerdict.Unreadable(file, "no such file");
        } catch (AccessDeniedException e) {
            return new FileVerdict.Unreadable(file, "permission denied");
        } catch (CharacterCodingException e) {
            return new FileVerdict.Unreadable(file, "not UTF-8 text");
        } catch (IOException e) {
            return new FileVerdict.Unreadable(file, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        try {
            return new FileVerdict.Valid(file, DstackYaml.parse(text, file));
        } catch (ConfigurationException e) {
            return new FileVerdict.Invalid(file, namingFile(e.errors(), file));
        }
    }

    /** Every error line must say which file it is about, even if the parser left the source out. */
    private static List<ValidationError> namingFile(List<ValidationError> errors, String file) {
        return errors.stream()
                .map(e -> e.source() != null ? e : new ValidationError(e.loc(), e.message(), file, e.line(), e.column()))
                .toList();
    }
}
