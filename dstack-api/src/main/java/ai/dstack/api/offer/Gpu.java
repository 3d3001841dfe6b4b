package ai.dstack.api.offer;

import ai.dstack.api.resources.GpuVendor;

import java.util.Objects;

/**
 * One GPU (or other accelerator) of an offered instance.
 *
 * <p>Like dstack, a name prefixed {@code tpu-} is taken as a Google TPU (the prefix is dropped), and a missing
 * vendor means NVIDIA otherwise.
 *
 * @param memoryMib the accelerator's own memory; 0 when unknown
 */
public record Gpu(String name, int memoryMib, GpuVendor vendor) {
    private static final String TPU_PREFIX = "tpu-";

    public Gpu {
        Objects.requireNonNull(name, "name is null");
        boolean tpu = name.startsWith(TPU_PREFIX);
        if (tpu) {
            name = name.substring(TPU_PREFIX.length());
        }
        if (vendor == null) {
            vendor = tpu ? GpuVendor.GOOGLE : GpuVendor.NVIDIA;
        }
    }
}
