package ai.dstack.cli.internal.command;

import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.validate.ConfigurationFileCheck;
import ai.dstack.cli.internal.validate.FileVerdict;
import java.io.PrintWriter;

/** A run configuration file given with {@code -f}, read with the same checks and messages as {@code dstack validate}. */
final class RunFile {
    private RunFile() {}

    /** The file's run configuration; an unreadable or invalid file, or another kind of configuration, is refused. */
    static RunConfiguration read(String file, PrintWriter err, String command) {
        FileVerdict verdict = new ConfigurationFileCheck().check(file);
        if (verdict instanceof FileVerdict.Unreadable unreadable) {
            throw CliException.usage("cannot read " + unreadable.file() + ": " + unreadable.reason());
        }
        if (verdict instanceof FileVerdict.Invalid invalid) {
            invalid.errors().forEach(err::println);
            throw CliException.failure(file + " is not a valid configuration (" + invalid.errors().size() + " error"
                    + (invalid.errors().size() == 1 ? "" : "s") + ")");
        }
        Configuration configuration = ((FileVerdict.Valid) verdict).configuration();
        if (configuration instanceof RunConfiguration run) {
            return run;
        }
        throw CliException.failure(command + " takes a run configuration (task, service or dev environment); " + file
                + " is a " + configuration.type().wireValue() + " configuration");
    }

    /**
     * The run a file names with {@code name:}; dstack's message when it names none.
     *
     * @param verb what the command does to the run: {@code stop}, {@code delete}
     */
    static String runName(String file, PrintWriter err, String verb) {
        String name = read(file, err, "dstack " + verb + " -f").name();
        if (name == null) {
            throw CliException.failure("Configuration specifies no run to " + verb + " (" + file + " has no name:)");
        }
        return name;
    }
}
