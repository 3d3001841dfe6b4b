package ai.dstack.spi.host;

import java.util.List;
import java.util.Objects;

/**
 * What a host offers to jobs.
 *
 * @param cpus logical CPUs available to the host's processes
 * @param cpuArch dstack's architecture name: {@code x86} or {@code arm} ({@code unknown} when neither)
 * @param memoryMib total memory
 * @param diskMib disk space free for jobs, on the file system that holds their directories
 * @param gpus the GPUs, grouped by identical model; empty when the host has none or no vendor tool to list them
 */
public record HostResources(int cpus, String cpuArch, long memoryMib, long diskMib, List<HostGpu> gpus) {
    public HostResources {
        Objects.requireNonNull(cpuArch, "cpuArch is null");
        gpus = List.copyOf(Objects.requireNonNull(gpus, "gpus is null"));
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus < 1: " + cpus);
        }
        if (memoryMib < 0) {
            throw new IllegalArgumentException("memoryMib < 0: " + memoryMib);
        }
        if (diskMib < 0) {
            throw new IllegalArgumentException("diskMib < 0: " + diskMib);
        }
    }

    /** All GPUs of the host. */
    public int gpuCount() {
        return gpus.stream().mapToInt(HostGpu::count).sum();
    }
}
