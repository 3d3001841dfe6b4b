package ai.dstack.api.offer;

import ai.dstack.api.resources.CpuArch;

import ai.dstack.api.json.internal.Values;
import java.util.List;

/**
 * What an offered instance (or the share of it an offer stands for) has.
 *
 * @param gpus one entry per GPU
 * @param disk {@link Disk#DEFAULT} when absent
 * @param cpuArch null when unknown
 * @param description always {@code ""} since dstack 0.21; kept because older clients echo it back
 */
public record Resources(
        int cpus,
        int memoryMib,
        List<Gpu> gpus,
        boolean spot,
        Disk disk,
        CpuArch cpuArch,
        String description) {
    public Resources {
        gpus = Values.list(gpus);
        disk = Values.orDefault(disk, Disk.DEFAULT);
        description = Values.orDefault(description, "");
    }

    /** Resources with the defaults for disk and description. */
    public static Resources of(int cpus, int memoryMib, List<Gpu> gpus, boolean spot, CpuArch cpuArch) {
        return new Resources(cpus, memoryMib, gpus, spot, null, cpuArch, null);
    }
}
