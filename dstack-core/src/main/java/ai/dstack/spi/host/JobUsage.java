package ai.dstack.spi.host;

import java.time.Instant;
import java.util.List;

/**
 * A job's resource usage as its host sees it at one moment: what dstack's runner reports as the job's metrics.
 *
 * @param cpuTimeMicros CPU time the job's processes (the live ones) have used so far, microseconds
 * @param memoryUsageBytes resident memory of the job's processes
 * @param memoryWorkingSetBytes the part of it that cannot be dropped: anonymous and shared memory
 * @param cpus CPUs of the host
 * @param memoryTotalBytes memory of the host
 * @param gpus each GPU of the host, in the order its tool lists them; empty without GPUs
 */
public record JobUsage(
        Instant timestamp,
        long cpuTimeMicros,
        long memoryUsageBytes,
        long memoryWorkingSetBytes,
        int cpus,
        long memoryTotalBytes,
        List<Gpu> gpus) {

    public JobUsage {
        gpus = List.copyOf(gpus);
    }

    /** One GPU: utilization 0..100 and memory, as {@code nvidia-smi} or {@code amd-smi} report them. */
    public record Gpu(int utilPercent, long memoryUsedBytes, long memoryTotalBytes) {}
}
