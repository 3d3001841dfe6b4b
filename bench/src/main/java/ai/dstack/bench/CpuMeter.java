package ai.dstack.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * CPU time by component, which compares across loads where rates do not: this JVM's Java threads grouped by name
 * (digits dropped), the JVM's own threads (GC, JIT: the process's CPU that no Java thread shows), and the processes
 * the JVM starts (the job spawner, the jobs' supervisors and shells). The job processes are detached from this JVM
 * (their parent is init once the spawner goes), so they are counted through a cgroup: the bench moves itself into a
 * cpuacct cgroup of its own (cgroup v1) or a child cgroup (v2) when it may (root), and every process forked below it
 * stays in it. Where it may not, the job processes are reported as not measured.
 */
final class CpuMeter {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    /** What was measured at one moment. */
    record Snapshot(long processNanos, long cgroupNanos, Map<Long, String> names, Map<Long, Long> threadNanos,
            Map<String, Long> jvmTicks) {}

    private final Path cgroup; // null when the job processes cannot be measured
    private final String why;

    private CpuMeter(Path cgroup, String why) {
        this.cgroup = cgroup;
        this.why = why;
    }

    /** Joins a cgroup of its own for this JVM when it can; says on stdout what it measures. */
    static CpuMeter start() {
        THREADS.setThreadCpuTimeEnabled(true);
        long pid = ProcessHandle.current().pid();
        Path v1 = Path.of("/sys/fs/cgroup/cpuacct");
        Path v2 = Path.of("/sys/fs/cgroup/cgroup.controllers");
        Path dir = Files.isDirectory(v1) ? v1.resolve("dstack-bench-" + pid)
                : Files.exists(v2) ? Path.of("/sys/fs/cgroup/dstack-bench-" + pid) : null;
        if (dir == null) {
            return new CpuMeter(null, "no cpuacct or cgroup v2 hierarchy under /sys/fs/cgroup");
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
            Path joined = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> leave(joined, pid), "bench-cgroup-exit"));
            return new CpuMeter(dir, null);
        } catch (IOException | RuntimeException e) {
            return new CpuMeter(null, "cannot join a cgroup of its own at " + dir + " (" + e + ")");
        }
    }

    /** Back into the parent cgroup, then removes this one (which fails while job processes are left in it). */
    private static void leave(Path dir, long pid) {
        try {
            Files.writeString(dir.getParent().resolve("cgroup.procs"), Long.toString(pid));
            Files.delete(dir);
        } catch (IOException e) {
            System.err.println("Note: the bench's cgroup " + dir + " stays (" + e + "); rmdir it once it is empty");
        }
    }

    Snapshot snapshot() {
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> nanos = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                names.put(info.getThreadId(), info.getThreadName());
                nanos.put(info.getThreadId(), cpu);
            }
        }
        return new Snapshot(processNanos(), cgroupNanos(), names, nanos, jvmTicks());
    }

    /**
     * Prints ms of CPU per run between two snapshots: the client's threads (those {@code client} names), the server's
     * threads by group, the JVM's own work, threads that ended in between, and the job processes.
     */
    void report(Snapshot before, Snapshot after, int runs, Predicate<String> client) {
        Map<String, Long> groups = new TreeMap<>();
        long clientNanos = 0;
        long threadNanos = 0;
        for (Map.Entry<Long, Long> entry : after.threadNanos().entrySet()) {
            long used = entry.getValue() - before.threadNanos().getOrDefault(entry.getKey(), 0L);
            String name = after.names().get(entry.getKey());
            threadNanos += used;
            if (client.test(name)) {
                clientNanos += used;
            } else {
                groups.merge(name.replaceAll("[0-9]+", "N"), used, Long::sum);
            }
        }
        long process = after.processNanos() - before.processNanos();
        long serverNanos = threadNanos - clientNanos;
        Map<String, Long> top = new LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        StringBuilder detail = new StringBuilder();
        top.forEach((name, nanos) -> detail.append(String.format("%s %.2f, ", name, nanos / 1e6 / runs)));
        String jobs = cgroup == null ? "not measured (" + why + ")"
                : String.format("%.2f", (after.cgroupNanos() - before.cgroupNanos() - process) / 1e6 / runs);
        System.out.printf("  CPU per run (ms): whole JVM %.2f = client threads %.2f + server threads %.2f + JVM's own"
                        + " (GC, JIT) and ended threads %.2f; job processes (spawner, supervisors, shells) %s%n",
                process / 1e6 / runs, clientNanos / 1e6 / runs, serverNanos / 1e6 / runs,
                (process - threadNanos) / 1e6 / runs, jobs);
        System.out.printf("  server threads by name (ms per run): %s%n",
                detail.length() == 0 ? "none" : detail.substring(0, detail.length() - 2));
        StringBuilder own = new StringBuilder();
        after.jvmTicks().forEach((kind, ticks) -> own.append(String.format("%s %.2f, ", kind,
                (ticks - before.jvmTicks().getOrDefault(kind, 0L)) * 1000.0 / TICKS_PER_SECOND / runs)));
        System.out.printf("  the JVM's own threads (ms per run, from /proc at 10 ms resolution): %s%n",
                own.length() == 0 ? "not measured" : own.substring(0, own.length() - 2));
    }

    /** The JVM's own threads' CPU ticks by kind (JIT, GC, other VM threads), from /proc/self/task/<tid>/stat. */
    private static Map<String, Long> jvmTicks() {
        Map<String, Long> ticks = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String kind = comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "JIT compilers"
                        : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "GC"
                        : comm.startsWith("VM ") ? "VM threads" : null; // those Java does not list
                if (kind != null) {
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(kind, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of(); // not Linux: not measured
        }
        return ticks;
    }

    private long cgroupNanos() {
        if (cgroup == null) {
            return 0;
        }
        try {
            Path v1 = cgroup.resolve("cpuacct.usage");
            if (Files.exists(v1)) {
                return Long.parseLong(Files.readString(v1).strip());
            }
            Optional<String> usec = Files.readAllLines(cgroup.resolve("cpu.stat")).stream()
                    .filter(line -> line.startsWith("usage_usec ")).findFirst();
            return usec.map(line -> Long.parseLong(line.substring(11).strip()) * 1000).orElse(0L);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bench's cgroup " + cgroup + ": " + e.getMessage(), e);
        }
    }

    private static long processNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
