package ai.dstack.spi.storage;

import java.util.UUID;

/**
 * One sample of a job's resource usage (dstack's {@code job_metrics_points}): table {@code job_metrics_points}.
 * Per-GPU values are JSON arrays of numbers, one element per GPU in the host's order.
 *
 * @param timestampMicro when the host took the sample, microseconds since the epoch
 * @param cpuUsageMicro CPU time the job's processes have used so far, microseconds (a counter)
 * @param memoryUsageBytes resident memory of the job's processes, including file cache pages they map
 * @param memoryWorkingSetBytes memory the job cannot give back without swapping: anonymous and shared memory
 * @param cpusDetected CPUs the host has
 * @param memoryTotalBytes memory the host has
 * @param gpusMemoryTotalBytes JSON array: each GPU's memory
 * @param gpusMemoryUsageBytes JSON array: each GPU's memory in use
 * @param gpusUtilPercent JSON array: each GPU's utilization, 0..100
 */
public record JobMetricsPointRow(
        UUID id,
        UUID jobId,
        long timestampMicro,
        long cpuUsageMicro,
        long memoryUsageBytes,
        long memoryWorkingSetBytes,
        int cpusDetected,
        long memoryTotalBytes,
        String gpusMemoryTotalBytes,
        String gpusMemoryUsageBytes,
        String gpusUtilPercent) {

    public JobMetricsPointRow {
        Rows.required(id, "id");
        Rows.required(jobId, "jobId");
        Rows.required(gpusMemoryTotalBytes, "gpusMemoryTotalBytes");
        Rows.required(gpusMemoryUsageBytes, "gpusMemoryUsageBytes");
        Rows.required(gpusUtilPercent, "gpusUtilPercent");
    }
}
