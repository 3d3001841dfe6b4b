package ai.dstack.api.instance;

import ai.dstack.api.resources.GpuVendor;
import java.util.Objects;

/**
 * The accelerator driver installed on a host, when known.
 *
 * @param vendor null when dstack's shim could not tell
 */
public record GpuDriverInfo(GpuVendor vendor, String version) {
    public GpuDriverInfo {
        Objects.requireNonNull(version, "version is null");
    }
}
