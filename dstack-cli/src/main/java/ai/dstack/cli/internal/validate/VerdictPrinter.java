package ai.dstack.cli.internal.validate;

/** Prints the verdict on a file that could be read; unreadable files are errors, reported on stderr by the command. */
public interface VerdictPrinter {
    void valid(FileVerdict.Valid verdict);

    void invalid(FileVerdict.Invalid verdict);
}
