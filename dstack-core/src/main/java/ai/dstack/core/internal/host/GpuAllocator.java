package ai.dstack.core.internal.host;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.GpuDevices;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.HostGpu;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.JobHandle;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Gives each job on this host its own GPUs, as dstack's shim locks GPUs per task: a job's indexes are written to
 * {@value #GPUS_FILE} in its directory, and a new job gets the lowest indexes no live job holds. The choice is made
 * under a file lock on the jobs directory, so engines sharing the host (replicas) never hand out a GPU twice.
 */
final class GpuAllocator {
    /** {@code <vendor> <index>,<index>...} in a job's directory: the GPUs the job holds while it runs. */
    static final String GPUS_FILE = "gpus";
    private static final String LOCK_FILE = ".gpus.lock";
    /** A job prepared but not started yet holds its GPUs this long (its start is under way in some engine). */
    private static final Duration STARTING = Duration.ofMinutes(1);

    private final Path root;
    private final Supplier<List<HostGpu>> probe;
    private final Function<JobHandle, HostJobState> status;
    private volatile List<HostGpu> gpus;

    GpuAllocator(Path root, Supplier<List<HostGpu>> probe, Function<JobHandle, HostJobState> status) {
        this.root = root;
        this.probe = probe;
        this.status = status;
    }

    /**
     * Picks {@code count} GPUs for the job whose directory is {@code dir} and records them there.
     *
     * @throws HostExecutionException when the host has fewer free GPUs; the message says which are held
     */
    synchronized GpuDevices allocate(String jobId, Path dir, int count) throws IOException {
        List<HostGpu> host = hostGpus();
        if (host.isEmpty() && count == 0) {
            return GpuDevices.NONE;
        }
        if (count == 0) { // a job without GPUs on a GPU host sees none of them
            return new GpuDevices(host.get(0).vendor(), List.of());
        }
        String vendor = host.isEmpty() ? "nvidia" : host.get(0).vendor();
        int total = host.stream().filter(gpu -> gpu.vendor().equals(vendor)).mapToInt(HostGpu::count).sum();
        try (FileChannel channel = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
            TreeSet<Integer> held = held(jobId);
            List<Integer> mine = new ArrayList<>();
            for (int index = 0; index < total && mine.size() < count; index++) {
                if (!held.contains(index)) {
                    mine.add(index);
                }
            }
            if (mine.size() < count) {
                throw new HostExecutionException(ErrorCode.ERROR, "job " + jobId + " needs " + count + " GPU(s);"
                        + " this host has " + total + (held.isEmpty() ? "" : ", of which running jobs hold " + held));
            }
            GpuDevices devices = new GpuDevices(vendor, mine);
            Files.writeString(dir.resolve(GPUS_FILE), vendor + " " + String.join(",",
                    mine.stream().map(String::valueOf).toList()) + "\n", StandardCharsets.UTF_8);
            return devices;
        }
    }

    private List<HostGpu> hostGpus() {
        List<HostGpu> known = gpus;
        if (known == null) {
            known = List.copyOf(probe.get());
            gpus = known;
        }
        return known;
    }

    /** The indexes the host's other live jobs hold. */
    private TreeSet<Integer> held(String except) throws IOException {
        TreeSet<Integer> held = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String jobId = dir.getFileName().toString();
                Optional<String> record = LocalHostExecutor.readOptional(dir.resolve(GPUS_FILE));
                if (jobId.equals(except) || jobId.startsWith(".") || record.isEmpty() || !live(jobId, dir)) {
                    continue;
                }
                String[] fields = record.get().strip().split(" ", 2);
                if (fields.length == 2) {
                    for (String index : fields[1].split(",")) {
                        held.add(Integer.parseInt(index.strip()));
                    }
                }
            }
        }
        return held;
    }

    private boolean live(String jobId, Path dir) throws IOException {
        HostJobState state = status.apply(new JobHandle(jobId));
        if (state instanceof HostJobState.Running) {
            return true;
        }
        boolean starting = !Files.exists(dir.resolve(ai.dstack.spi.host.ShellJobProtocol.PID_FILE))
                && !Files.exists(dir.resolve(ai.dstack.spi.host.ShellJobProtocol.EXIT_FILE));
        return starting && Files.getLastModifiedTime(dir.resolve(GPUS_FILE)).toInstant()
                .isAfter(Instant.now().minus(STARTING));
    }
}
