package ai.dstack.api.configuration;

/** Stop a run whose GPUs stay below {@code minGpuUtilization} percent for {@code timeWindow} seconds. */
public record UtilizationPolicy(int minGpuUtilization, long timeWindow) {}
