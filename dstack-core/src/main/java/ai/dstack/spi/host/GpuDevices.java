package ai.dstack.spi.host;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The GPUs a host gave one job: their vendor and their indexes on the host (as {@code nvidia-smi} or
 * {@code amd-smi} number them). A job sees exactly these through the vendor's visibility variables.
 *
 * @param vendor {@code nvidia} or {@code amd}; {@code none} for a host without GPUs
 * @param indexes the host's indexes of the job's GPUs, ascending
 */
public record GpuDevices(String vendor, List<Integer> indexes) {
    /** A host without GPUs: nothing to hide, so no variables. */
    public static final GpuDevices NONE = new GpuDevices("none", List.of());

    public GpuDevices {
        Objects.requireNonNull(vendor, "vendor is null");
        indexes = List.copyOf(indexes);
    }

    public boolean isEmpty() {
        return indexes.isEmpty();
    }

    public boolean amd() {
        return vendor.equalsIgnoreCase("amd");
    }

    /**
     * The variables that limit the job to its GPUs. NVIDIA: {@code NVIDIA_VISIBLE_DEVICES} names the host's indexes
     * (the container toolkit reads it), {@code CUDA_VISIBLE_DEVICES} the host's on the host and 0..n-1 in a container,
     * which sees only the job's GPUs. AMD: {@code ROCR_VISIBLE_DEVICES} names the host's indexes (a container gets all
     * of {@code /dev/dri}), and {@code HIP_VISIBLE_DEVICES}, which counts among the GPUs ROCr lets through, 0..n-1.
     */
    public Map<String, String> environment(boolean inContainer) {
        Map<String, String> env = new LinkedHashMap<>();
        if (vendor.equals("none")) {
            return env;
        }
        String host = join(indexes);
        String seen = inContainer ? join(IntStream.range(0, indexes.size()).boxed().toList()) : host;
        if (amd()) {
            env.put("ROCR_VISIBLE_DEVICES", host);
            env.put("HIP_VISIBLE_DEVICES", join(IntStream.range(0, indexes.size()).boxed().toList()));
        } else {
            env.put("CUDA_VISIBLE_DEVICES", seen);
            env.put("NVIDIA_VISIBLE_DEVICES", indexes.isEmpty() ? "void" : host);
        }
        return env;
    }

    private static String join(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
