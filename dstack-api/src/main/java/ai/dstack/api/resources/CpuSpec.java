package ai.dstack.api.resources;

import java.util.Objects;

/** CPU requirements: an optional architecture and a core count range (default {@code 2..}). */
public record CpuSpec(CpuArch arch, Range<Integer> count) {
    public static final CpuSpec DEFAULT = new CpuSpec(null, Range.atLeast(2));

    public CpuSpec {
        Objects.requireNonNull(count, "count is null");
    }
}
