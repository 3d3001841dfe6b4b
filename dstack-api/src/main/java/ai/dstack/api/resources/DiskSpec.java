package ai.dstack.api.resources;

import java.util.Objects;

/** Disk requirements: a size range in gigabytes (default {@code 100GB..}). */
public record DiskSpec(Range<Double> size) {
    public static final DiskSpec DEFAULT = new DiskSpec(Range.atLeast(100.0));

    public DiskSpec {
        Objects.requireNonNull(size, "size is null");
    }
}
