package ai.dstack.core.internal.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The resource usage of process sessions (a local job is the session its supervisor made), read from {@code /proc} in
 * one walk: what {@code job-usage.sh} computes, without a shell. With ten thousand sleeping jobs the script's walk
 * took 17 s of CPU per pass (bash reads {@code /proc/<pid>/status} line by line); this one reads the same files once.
 */
final class ProcUsage {
    /**
     * One session's live processes together.
     *
     * @param ticks CPU time (user and system) in clock ticks
     * @param residentBytes resident memory ({@code VmRSS})
     * @param workingSetBytes anonymous and shared memory ({@code RssAnon + RssShmem})
     */
    record Usage(long ticks, long residentBytes, long workingSetBytes) {
        Usage plus(Usage other) {
            return new Usage(ticks + other.ticks, residentBytes + other.residentBytes,
                    workingSetBytes + other.workingSetBytes);
        }
    }

    private final Path proc;

    ProcUsage(Path proc) {
        this.proc = proc;
    }

    /** The usage of each of {@code sessions} that has a live process; a session with none is absent. */
    Map<Long, Usage> bySession(Set<Long> sessions) {
        Map<Long, Usage> usages = new HashMap<>();
        if (sessions.isEmpty()) {
            return usages;
        }
        String[] entries = proc.toFile().list();
        if (entries == null) {
            return usages;
        }
        for (String entry : entries) {
            if (entry.isEmpty() || !Character.isDigit(entry.charAt(0))) {
                continue;
            }
            Path dir = proc.resolve(entry);
            String stat = read(dir.resolve("stat"));
            int end = stat == null ? -1 : stat.lastIndexOf(')');
            if (end < 0) {
                continue; // gone meanwhile
            }
            // After the command name: state ppid pgrp session ... utime(12th) stime(13th), counted from state as 1st.
            String[] fields = stat.substring(end + 2).split(" ");
            if (fields.length < 13) {
                continue;
            }
            long session = parse(fields[3]);
            if (!sessions.contains(session)) {
                continue;
            }
            Usage usage = memory(dir, parse(fields[11]) + parse(fields[12]));
            if (usage != null) {
                usages.merge(session, usage, Usage::plus);
            }
        }
        return usages;
    }

    /** The process's memory from its status file (kB lines), with its CPU ticks; null when it is gone. */
    private static Usage memory(Path dir, long ticks) {
        String status = read(dir.resolve("status"));
        if (status == null) {
            return null;
        }
        return new Usage(ticks, kilobytes(status, "VmRSS:") << 10,
                (kilobytes(status, "RssAnon:") + kilobytes(status, "RssShmem:")) << 10);
    }

    private static long kilobytes(String status, String key) {
        int at = status.indexOf(key);
        if (at < 0) {
            return 0; // a kernel thread or a zombie has no memory lines
        }
        int from = at + key.length();
        while (from < status.length() && (status.charAt(from) == ' ' || status.charAt(from) == '\t')) {
            from++;
        }
        int to = from;
        while (to < status.length() && Character.isDigit(status.charAt(to))) {
            to++;
        }
        return to > from ? Long.parseLong(status, from, to, 10) : 0;
    }

    private static long parse(String field) {
        try {
            return Long.parseLong(field);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null; // the process ended meanwhile
        }
    }
}
