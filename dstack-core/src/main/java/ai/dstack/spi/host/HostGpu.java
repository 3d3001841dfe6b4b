package ai.dstack.spi.host;

import java.util.Objects;

/**
 * Identical GPUs of a host.
 *
 * @param vendor dstack's vendor name: {@code nvidia} or {@code amd}
 * @param name dstack's short model name ({@code A100}, {@code RTX4090}, {@code MI300X}), as dstack derives it from
 *     the vendor tool's output
 * @param memoryMib memory per GPU as the vendor tool reports it
 * @param count how many such GPUs the host has
 */
public record HostGpu(String vendor, String name, long memoryMib, int count) {
    public HostGpu {
        Objects.requireNonNull(vendor, "vendor is null");
        Objects.requireNonNull(name, "name is null");
        if (memoryMib < 0) {
            throw new IllegalArgumentException("memoryMib < 0: " + memoryMib);
        }
        if (count < 1) {
            throw new IllegalArgumentException("count < 1: " + count);
        }
    }
}
