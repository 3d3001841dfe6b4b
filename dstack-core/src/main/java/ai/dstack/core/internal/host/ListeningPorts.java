package ai.dstack.core.internal.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which TCP ports some processes listen on, read from Linux's {@code /proc}: the processes (by session,
 * {@code /proc/<pid>/stat} field 6, or by a variable in {@code /proc/<pid>/environ}), their sockets
 * ({@code /proc/<pid>/fd}) and the listening sockets of {@code /proc/net/tcp} and {@code tcp6}. Elsewhere (no
 * {@code /proc}) nothing is found.
 */
final class ListeningPorts {
    private static final Path PROC = Path.of("/proc");
    private static final String LISTEN = "0A";

    private ListeningPorts() {}

    /**
     * Whether a process of session {@code sessionId} (-1: none), or one whose environment holds {@code variable}
     * ({@code NAME=value}), listens on {@code port}.
     */
    static boolean listensOn(long sessionId, String variable, int port) {
        Set<String> inodes = socketInodes(sessionId, variable);
        if (inodes.isEmpty()) {
            return false;
        }
        for (String table : List.of("net/tcp", "net/tcp6")) {
            if (listensIn(PROC.resolve(table), port, inodes)) {
                return true;
            }
        }
        return false;
    }

    /** The pids of the processes whose environment holds {@code variable} ({@code NAME=value}). */
    static List<Long> processesWith(String variable) {
        byte[] wanted = (variable + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Long> pids = new java.util.ArrayList<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, entry -> entry.getFileName().toString().matches("\\d+"))) {
            for (Path process : processes) {
                if (environHolds(process, wanted)) {
                    pids.add(Long.parseLong(process.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            return pids;
        }
        return pids;
    }

    private static Set<String> socketInodes(long sessionId, String variable) {
        Set<String> inodes = new HashSet<>();
        byte[] wanted = (variable + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, entry -> entry.getFileName().toString().matches("\\d+"))) {
            for (Path process : processes) {
                if ((sessionId > 0 && sessionOf(process) == sessionId) || environHolds(process, wanted)) {
                    collectSockets(process.resolve("fd"), inodes);
                }
            }
        } catch (IOException e) {
            return inodes;
        }
        return inodes;
    }

    private static long sessionOf(Path process) {
        try {
            String stat = Files.readString(process.resolve("stat"));
            // Fields after the command name (in parentheses, may hold spaces): state ppid pgrp session ...
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[3]);
        } catch (IOException | RuntimeException e) {
            return -1; // gone meanwhile, or not ours to read
        }
    }

    private static boolean environHolds(Path process, byte[] wanted) {
        byte[] environ;
        try {
            environ = Files.readAllBytes(process.resolve("environ"));
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile, or not ours to read
        }
        // Entries are NUL-terminated: match a whole entry, at the start or right after a NUL.
        outer:
        for (int start = 0; start + wanted.length <= environ.length; start++) {
            if (start > 0 && environ[start - 1] != 0) {
                continue;
            }
            for (int i = 0; i < wanted.length; i++) {
                if (environ[start + i] != wanted[i]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void collectSockets(Path fds, Set<String> inodes) {
        try (DirectoryStream<Path> links = Files.newDirectoryStream(fds)) {
            for (Path link : links) {
                try {
                    String target = Files.readSymbolicLink(link).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended, or its descriptors are not readable
        }
    }

    private static boolean listensIn(Path table, int port, Set<String> inodes) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException e) {
            return false;
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 10 || !fields[3].equals(LISTEN)) {
                continue;
            }
            String local = fields[1];
            int localPort = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
            if (localPort == port && inodes.contains(fields[9])) {
                return true;
            }
        }
        return false;
    }
}
