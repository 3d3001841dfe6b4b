package ai.dstack.core;

import java.util.Objects;
import java.util.function.Function;

/**
 * The images dstack runs jobs in when a configuration names none: its base image for {@code python:} and
 * {@code nvcc:} ({@code <base>:<version>-base-ubuntu<ubuntu>}, the {@code -devel-} variant with {@code nvcc: true})
 * and its Docker-in-Docker image for {@code docker: true}. A site without access to Docker Hub points them at its
 * own registry.
 *
 * @param baseImage the base image's repository, dstack's {@code dstackai/base}
 * @param baseImageVersion the version part of its tag
 * @param baseImageUbuntuVersion the Ubuntu part of its tag
 * @param dindImage the Docker-in-Docker image, dstack's {@code dstackai/dind}
 */
public record JobImages(String baseImage, String baseImageVersion, String baseImageUbuntuVersion, String dindImage) {
    /** dstack's: {@code dstackai/base:0.15-base-ubuntu24.04} and {@code dstackai/dind}. */
    public static final JobImages DSTACK = new JobImages("dstackai/base", "0.15", "24.04", "dstackai/dind");

    public static final String BASE_IMAGE = "DSTACK_SERVER_BASE_IMAGE";
    public static final String BASE_IMAGE_VERSION = "DSTACK_SERVER_BASE_IMAGE_VERSION";
    public static final String BASE_IMAGE_UBUNTU_VERSION = "DSTACK_SERVER_BASE_IMAGE_UBUNTU_VERSION";
    public static final String DIND_IMAGE = "DSTACK_SERVER_DIND_IMAGE";

    public JobImages {
        baseImage = check(BASE_IMAGE, baseImage, false);
        baseImageVersion = check(BASE_IMAGE_VERSION, baseImageVersion, true);
        baseImageUbuntuVersion = check(BASE_IMAGE_UBUNTU_VERSION, baseImageUbuntuVersion, true);
        dindImage = check(DIND_IMAGE, dindImage, false);
    }

    /**
     * The server's settings: {@value #BASE_IMAGE}, {@value #BASE_IMAGE_VERSION}, {@value #BASE_IMAGE_UBUNTU_VERSION}
     * and {@value #DIND_IMAGE}, each keeping dstack's default when unset.
     *
     * @throws IllegalArgumentException naming the variable whose value is not part of an image reference
     */
    public static JobImages fromEnvironment(Function<String, String> env) {
        return new JobImages(or(env.apply(BASE_IMAGE), DSTACK.baseImage),
                or(env.apply(BASE_IMAGE_VERSION), DSTACK.baseImageVersion),
                or(env.apply(BASE_IMAGE_UBUNTU_VERSION), DSTACK.baseImageUbuntuVersion),
                or(env.apply(DIND_IMAGE), DSTACK.dindImage));
    }

    /** The base image a job gets: {@code -devel-} with {@code nvcc}, {@code -base-} otherwise. */
    public String baseImage(boolean nvcc) {
        return baseImage + ":" + baseImageVersion + "-" + (nvcc ? "devel" : "base") + "-ubuntu" + baseImageUbuntuVersion;
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static String check(String name, String value, boolean tagPart) {
        Objects.requireNonNull(value, name + " is null");
        String pattern = tagPart ? "[A-Za-z0-9_.-]+" : "[a-z0-9][a-z0-9._/:-]*[a-z0-9]";
        if (!value.matches(pattern)) {
            throw new IllegalArgumentException(name + "='" + value + "' is not " + (tagPart
                    ? "part of an image tag (letters, digits, '.', '_', '-')"
                    : "an image repository such as dstackai/base or registry.example.com:5000/dstack/base"));
        }
        return value;
    }
}
