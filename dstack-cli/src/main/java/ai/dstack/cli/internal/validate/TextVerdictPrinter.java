package ai.dstack.cli.internal.validate;

import ai.dstack.api.ValidationError;
import java.io.PrintWriter;
import picocli.CommandLine.Help.Ansi;

/**
 * {@code FILE: OK}, or one {@code FILE:LINE:COL: LOC: MESSAGE} line per error, the form editors and CI logs link
 * to the place.
 */
public final class TextVerdictPrinter implements VerdictPrinter {
    private final PrintWriter out;
    private final Ansi ansi;

    public TextVerdictPrinter(PrintWriter out, Ansi ansi) {
        this.out = out;
        this.ansi = ansi;
    }

    @Override
    public void valid(FileVerdict.Valid verdict) {
        out.println(verdict.file() + ": " + ansi.string("@|green OK|@"));
    }

    @Override
    public void invalid(FileVerdict.Invalid verdict) {
        for (ValidationError error : verdict.errors()) {
            out.println(error);
        }
    }
}
