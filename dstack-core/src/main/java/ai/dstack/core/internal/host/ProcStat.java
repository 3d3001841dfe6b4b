package ai.dstack.core.internal.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads {@code /proc/<pid>/stat} to tell whether a given process (not just its pid) is alive. */
final class ProcStat {
    private ProcStat() {}

    /**
     * Whether process {@code pid} exists, is not a zombie and, when {@code startTicks} is not 0, started at that time
     * (field 22), so a later process that reuses the pid does not count.
     */
    static boolean isAlive(long pid, long startTicks) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return false;
        }
        // The command name (field 2) is in parentheses and may contain spaces: the other fields follow the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        char state = fields[0].charAt(0);
        if (state == 'Z' || state == 'X') {
            return false;
        }
        return startTicks == 0 || (fields.length > 19 && fields[19].equals(Long.toString(startTicks)));
    }
}
