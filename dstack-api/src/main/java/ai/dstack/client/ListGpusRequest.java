package ai.dstack.client;

import ai.dstack.api.offer.GpuGrouping;
import ai.dstack.api.run.RunSpec;
import java.util.List;
import java.util.Objects;

/**
 * dstack's {@code gpus/list}: the GPUs of the offers a run spec gets.
 *
 * @param groupBy besides the GPU type; {@link GpuGrouping#REGION} needs {@link GpuGrouping#BACKEND}
 */
public record ListGpusRequest(RunSpec runSpec, List<GpuGrouping> groupBy) {
    public ListGpusRequest {
        Objects.requireNonNull(runSpec, "runSpec is null");
        groupBy = groupBy == null ? List.of() : List.copyOf(groupBy);
    }

    /** The GPUs by type alone. */
    public static ListGpusRequest of(RunSpec runSpec, GpuGrouping... groupBy) {
        return new ListGpusRequest(runSpec, List.of(groupBy));
    }
}
