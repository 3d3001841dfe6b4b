package ai.dstack.cli.internal.validate;

import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.Configuration;
import java.util.List;

/** The outcome of checking one file named on the command line; {@code file} is the name as the user gave it. */
public sealed interface FileVerdict {
    String file();

    record Valid(String file, Configuration configuration) implements FileVerdict {}

    /** @param errors never empty; each carries {@code file} as its source */
    record Invalid(String file, List<ValidationError> errors) implements FileVerdict {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    /** The file could not be read at all, e.g. {@code reason} = "no such file": the user's mistake, not the file's. */
    record Unreadable(String file, String reason) implements FileVerdict {}
}
