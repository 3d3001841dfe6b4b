package ai.dstack.api.resources;

import java.util.List;
import java.util.Objects;

/**
 * GPU requirements. {@code name} lists acceptable models; memory values are gigabytes per GPU
 * ({@code totalMemory} across all GPUs).
 */
public record GpuSpec(
        GpuVendor vendor,
        List<String> name,
        Range<Integer> count,
        Range<Double> memory,
        Range<Double> totalMemory,
        ComputeCapability computeCapability) {
    /** No GPU required: dstack's default when {@code gpu} is not given. */
    public static final GpuSpec NONE = new GpuSpec(null, null, Range.atLeast(0), null, null, null);

    /** The count a GPU spec gets when it names GPUs without a count. */
    public static final Range<Integer> DEFAULT_COUNT = Range.atLeast(1);

    public GpuSpec {
        Objects.requireNonNull(count, "count is null");
        name = name == null ? null : List.copyOf(name);
    }
}
