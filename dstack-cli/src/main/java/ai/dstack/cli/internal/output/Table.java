package ai.dstack.cli.internal.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain text table as dstack's CLI prints them: upper-case headers, columns separated by two spaces, no borders.
 * When the table is wider than the terminal, the widest column is cut (ending in "…") until it fits.
 */
public final class Table {
    private static final String GAP = "  ";

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    public Table row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(cell -> cell == null ? "" : cell).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The lines of the table, at most {@code maxWidth} characters wide where the headers allow it. */
    public List<String> lines(int maxWidth) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        shrink(widths, maxWidth);
        List<String> lines = new ArrayList<>();
        lines.add(line(headers, widths));
        for (List<String> row : rows) {
            lines.add(line(row, widths));
        }
        return lines;
    }

    public void print(PrintWriter out, int maxWidth) {
        lines(maxWidth).forEach(out::println);
    }

    private void shrink(int[] widths, int maxWidth) {
        int total = Arrays.stream(widths).sum() + GAP.length() * (widths.length - 1);
        while (total > maxWidth) {
            int widest = 0;
            for (int i = 1; i < widths.length; i++) {
                if (widths[i] > widths[widest]) {
                    widest = i;
                }
            }
            if (widths[widest] <= Math.max(headers.get(widest).length(), 8)) {
                return; // Narrower would lose the meaning; let the terminal wrap.
            }
            widths[widest]--;
            total--;
        }
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String cell = cells.get(i);
            if (cell.length() > widths[i]) {
                cell = cell.substring(0, widths[i] - 1) + "…";
            }
            line.append(cell);
            if (i < widths.length - 1) {
                line.append(" ".repeat(widths[i] - cell.length())).append(GAP);
            }
        }
        return line.toString().stripTrailing();
    }
}
