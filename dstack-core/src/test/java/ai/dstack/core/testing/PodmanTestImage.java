package ai.dstack.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The local image container tests run in, built once per machine by {@code .ci/container-test-image} (debootstrap,
 * then {@code podman import}; cached). Tests skip when podman is absent, unless {@code DSTACK_REQUIRE_CONTAINERS} is
 * set (CI sets it), which makes its absence a failure. Other modules' container tests use it through this module's
 * test jar.
 */
public final class PodmanTestImage {
    public static final String IMAGE = "localhost/dstack-test:bookworm";
    private static volatile boolean ready;

    private PodmanTestImage() {}

    /** Skips (or fails under DSTACK_REQUIRE_CONTAINERS) without podman; builds the image if it is missing. */
    public static synchronized String require() throws IOException, InterruptedException {
        boolean podman = Files.isExecutable(Path.of("/usr/bin/podman"));
        if (!podman && System.getenv("DSTACK_REQUIRE_CONTAINERS") != null) {
            throw new AssertionError("DSTACK_REQUIRE_CONTAINERS is set but there is no /usr/bin/podman: install"
                    + " podman, runc and debootstrap (.ci/run does)");
        }
        assumeTrue(podman, "podman is not installed (apt-get install podman runc debootstrap); container tests skipped");
        if (!ready) {
            Path script = script();
            Process build = new ProcessBuilder(script.toString()).redirectErrorStream(true).start();
            String output = new String(build.getInputStream().readAllBytes());
            if (!build.waitFor(10, TimeUnit.MINUTES) || build.exitValue() != 0) {
                throw new AssertionError(script + " failed: " + output);
            }
            ready = true;
        }
        return IMAGE;
    }

    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".ci").resolve("container-test-image");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(".ci/container-test-image not found above " + Path.of("").toAbsolutePath());
    }
}
