package ai.dstack.api.resources;

import java.util.Objects;

/**
 * What a job needs from its host. Memory values are gigabytes. {@code gpu} and {@code disk} may be null
 * (no constraint); {@link #DEFAULT} is what dstack assumes when {@code resources} is not given.
 */
public record ResourcesSpec(CpuSpec cpu, Range<Double> memory, Double shmSize, GpuSpec gpu, DiskSpec disk) {
    public static final Range<Double> DEFAULT_MEMORY = Range.atLeast(8.0);
    public static final ResourcesSpec DEFAULT =
            new ResourcesSpec(CpuSpec.DEFAULT, DEFAULT_MEMORY, null, GpuSpec.NONE, DiskSpec.DEFAULT);

    public ResourcesSpec {
        Objects.requireNonNull(cpu, "cpu is null");
        Objects.requireNonNull(memory, "memory is null");
    }
}
