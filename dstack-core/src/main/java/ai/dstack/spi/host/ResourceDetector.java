package ai.dstack.spi.host;

/**
 * Finds out what a host offers: CPUs, memory, free disk and GPUs. A missing GPU tool means no GPUs, not an error.
 * Detection runs programs and reads files, so callers cache the result.
 */
public interface ResourceDetector {
    HostResources detect();
}
