package ai.dstack.core.internal.host;

import ai.dstack.spi.host.HostGpu;
import ai.dstack.spi.host.HostProbeParsers;
import ai.dstack.spi.host.HostResources;
import ai.dstack.spi.host.ResourceDetector;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this machine offers: CPUs the JVM may use, total memory from {@code /proc/meminfo}, free space on the jobs'
 * file system, and GPUs listed by {@code nvidia-smi} and {@code amd-smi} (or {@code rocm-smi}) when they are on
 * {@code PATH}. A GPU tool that is missing means no GPUs of that vendor; one that fails is logged and skipped.
 */
public final class LocalResourceDetector implements ResourceDetector {
    private static final Logger LOG = LoggerFactory.getLogger(LocalResourceDetector.class);
    private static final Duration GPU_TOOL_TIMEOUT = Duration.ofSeconds(30);
    private static final long MIB = 1024 * 1024;

    private final Path diskPath;
    private final ProcessRunner runner;

    /** Measures free disk where {@code diskPath} is and finds GPU tools on the server's {@code PATH}. */
    public LocalResourceDetector(Path diskPath) {
        this(diskPath, LocalHostExecutor.defaultBaseEnvironment());
    }

    /** @param environment where {@code PATH} is looked up for GPU tools, and their environment */
    public LocalResourceDetector(Path diskPath, Map<String, String> environment) {
        this.diskPath = diskPath;
        this.runner = new ProcessRunner(environment);
    }

    @Override
    public HostResources detect() {
        return new HostResources(Runtime.getRuntime().availableProcessors(),
                HostProbeParsers.cpuArchOf(System.getProperty("os.arch")), memoryMib(), diskFreeMib(), gpus());
    }

    private static long memoryMib() {
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.isReadable(meminfo)) {
            try {
                return HostProbeParsers.parseMemInfoTotalMib(Files.readString(meminfo));
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("Cannot read the memory size from {}: {}", meminfo, e.getMessage());
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / MIB;
        }
        return 0;
    }

    private long diskFreeMib() {
        try {
            return Files.getFileStore(diskPath).getUsableSpace() / MIB;
        } catch (IOException e) {
            LOG.warn("Cannot read the free disk space of {}: {}", diskPath, e.getMessage());
            return 0;
        }
    }

    List<HostGpu> gpus() {
        List<HostGpu> gpus = new ArrayList<>(
                probe(HostProbeParsers.NVIDIA_SMI_COMMAND, HostProbeParsers::parseNvidiaSmi));
        if (runner.isOnPath("amd-smi")) {
            gpus.addAll(probe(HostProbeParsers.AMD_SMI_COMMAND, HostProbeParsers::parseAmdSmi));
        } else {
            gpus.addAll(probe(HostProbeParsers.ROCM_SMI_COMMAND, HostProbeParsers::parseRocmSmi));
        }
        return gpus;
    }

    private List<HostGpu> probe(List<String> command, Function<String, List<HostGpu>> parser) {
        String tool = command.get(0);
        if (!runner.isOnPath(tool)) {
            return List.of();
        }
        try {
            ProcessRunner.Result result = runner.run(command, GPU_TOOL_TIMEOUT);
            if (!result.succeeded()) {
                String reason = result.timedOut()
                        ? "no answer within " + GPU_TOOL_TIMEOUT.toSeconds() + " s"
                        : result.diagnostic();
                LOG.warn("{} failed, so its GPUs are not counted: {}", String.join(" ", command), reason);
                return List.of();
            }
            return parser.apply(result.stdout());
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("{} could not be used, so its GPUs are not counted: {}", String.join(" ", command),
                    e.getMessage());
            return List.of();
        }
    }
}
