package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.RegistryAuth;
import ai.dstack.api.resources.CpuArch;
import java.util.List;
import java.util.Set;

/**
 * Reads a custom image's configuration from its registry, which dstack needs for an image run without commands
 * (its ENTRYPOINT and CMD), without {@code user:} (its USER) and without {@code cpu.arch} (its platforms).
 */
@FunctionalInterface
public interface ImageInspector {
    /**
     * @param registryAuth the credentials with secrets already resolved, or null
     * @throws ai.dstack.api.DstackException naming the image when the registry cannot be read
     */
    ImageConfig inspect(String image, RegistryAuth registryAuth);

    /**
     * @param entrypoint empty when the image has none
     * @param cmd empty when the image has none
     * @param user null when the image sets none
     * @param architectures the Linux platforms the image is built for
     */
    record ImageConfig(List<String> entrypoint, List<String> cmd, String user, Set<CpuArch> architectures) {
        public ImageConfig {
            entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
            architectures = Set.copyOf(architectures);
        }
    }
}
