package ai.dstack.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How many sleeping local jobs this machine can hold at once: each is two processes (its supervisor, a forked perl
 * of about 0.75 MiB private memory, and the job's {@code sleep}, about 0.1 MiB), so the kernel's pid space, the
 * cgroup's pids limit and the free memory bound it. Read from {@code /proc} and {@code /sys}; printed.
 */
record HostCapacity(long pidMax, long cgroupPidsMax, long processes, long memAvailableKiB) {
    private static final int PROCESSES_PER_JOB = 2;
    private static final long KIB_PER_JOB = 1024; // measured: 0.75 + 0.11 MiB (Pss), plus kernel stacks and tables
    private static final long PROCESS_HEADROOM = 3000; // for everything else running here
    private static final long MEMORY_HEADROOM_KIB = 6L << 20; // 6 GiB left to the other users of the machine

    static HostCapacity measure() throws IOException {
        long pidMax = Long.parseLong(firstLine(Path.of("/proc/sys/kernel/pid_max")));
        Path cgroup = Path.of("/sys/fs/cgroup/pids.max");
        long cgroupMax = Long.MAX_VALUE;
        if (Files.isReadable(cgroup) && !firstLine(cgroup).equals("max")) {
            cgroupMax = Long.parseLong(firstLine(cgroup));
        }
        long processes;
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            processes = entries.filter(p -> p.getFileName().toString().matches("\\d+")).count();
        }
        long memAvailable = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(line -> line.startsWith("MemAvailable:")).mapToLong(line -> Long.parseLong(line.replaceAll("\\D+", "")))
                .findFirst().orElse(0);
        HostCapacity capacity = new HostCapacity(pidMax, cgroupMax, processes, memAvailable);
        System.out.printf("host: pid_max %d, cgroup pids.max %s, %d processes running, %.1f GiB available;"
                        + " a sleeping job is %d processes and about %d KiB: room for %d jobs%n", pidMax,
                cgroupMax == Long.MAX_VALUE ? "max" : cgroupMax, processes, memAvailable / 1048576.0, PROCESSES_PER_JOB,
                KIB_PER_JOB, capacity.jobs());
        return capacity;
    }

    /** Read line by line: a {@code /proc} file says its size is 0, and a whole-file read then stops short. */
    private static String firstLine(Path file) throws IOException {
        return Files.readAllLines(file).get(0).trim();
    }

    long jobs() {
        long byPids = (Math.min(pidMax, cgroupPidsMax) - processes - PROCESS_HEADROOM) / PROCESSES_PER_JOB;
        long byMemory = (memAvailableKiB - MEMORY_HEADROOM_KIB) / KIB_PER_JOB;
        return Math.max(0, Math.min(byPids, byMemory));
    }

    int activeJobsAtMost(int wanted) {
        return (int) Math.min(wanted, jobs());
    }
}
