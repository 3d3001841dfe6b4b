package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.PythonVersion;
import java.util.Objects;

/**
 * Server-wide defaults of job specs, dstack's settings ({@code DSTACK_DOCKER_BASE_IMAGE*}, {@code DSTACK_DIND_IMAGE})
 * and the Python version the default image's venv gets when a configuration names none.
 *
 * @param defaultPython dstack uses its server's own Python; {@link #DSTACK} takes that of dstack's server image
 * @param imageSetup whether jobs on the default image first set up its Python venv; off where jobs run on a
 *     host's own shell instead of in dstack's image (the local fleet)
 */
public record JobDefaults(
        String baseImage, String baseImageVersion, String baseImageUbuntuVersion, String dindImage, PythonVersion defaultPython,
        boolean imageSetup) {
    /** dstack's defaults: {@code dstackai/base:0.15-base-ubuntu24.04}, {@code dstackai/dind}, Python 3.11. */
    public static final JobDefaults DSTACK =
            new JobDefaults("dstackai/base", "0.15", "24.04", "dstackai/dind", PythonVersion.PY311, true);

    /** dstack's defaults with the server's images. */
    public static JobDefaults of(ai.dstack.core.JobImages images) {
        return new JobDefaults(images.baseImage(), images.baseImageVersion(), images.baseImageUbuntuVersion(),
                images.dindImage(), DSTACK.defaultPython(), DSTACK.imageSetup());
    }

    /** For jobs that run directly in a host's shell: no venv setup that only dstack's image can do. */
    public JobDefaults onHost() {
        return new JobDefaults(baseImage, baseImageVersion, baseImageUbuntuVersion, dindImage, defaultPython, false);
    }

    public JobDefaults {
        Objects.requireNonNull(baseImage, "baseImage is null");
        Objects.requireNonNull(baseImageVersion, "baseImageVersion is null");
        Objects.requireNonNull(baseImageUbuntuVersion, "baseImageUbuntuVersion is null");
        Objects.requireNonNull(dindImage, "dindImage is null");
        Objects.requireNonNull(defaultPython, "defaultPython is null");
    }

    /** {@code <base>:<version>-base-ubuntu<ubuntu>}, or the {@code -devel-} variant with nvcc. */
    public String defaultImage(boolean nvcc) {
        return baseImage + ":" + baseImageVersion + "-" + (nvcc ? "devel" : "base") + "-ubuntu" + baseImageUbuntuVersion;
    }
}
