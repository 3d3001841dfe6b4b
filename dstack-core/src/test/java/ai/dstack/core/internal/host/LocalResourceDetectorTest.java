package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.spi.host.HostGpu;
import ai.dstack.spi.host.HostResources;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection on this machine, with stand-in GPU tools (scripts printing recorded outputs) on a private PATH. */
class LocalResourceDetectorTest {
    @TempDir Path bin;

    LocalResourceDetector detector() {
        Map<String, String> environment = new HashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        environment.put("PATH", bin + ":/usr/bin:/bin");
        return new LocalResourceDetector(bin, environment);
    }

    /** A tool that prints the recorded output when called with exactly {@code expectedArguments}. */
    void installTool(String name, String expectedArguments, String sample) throws IOException {
        Path output = bin.resolve(name + ".out");
        try (InputStream in = getClass().getResourceAsStream("/ai/dstack/spi/host/gpu/" + sample)) {
            Files.copy(in, output);
        }
        installScript(name, "[ \"$*\" = '" + expectedArguments + "' ] || { echo \"unexpected: $*\" >&2; exit 2; }\n"
                + "cat '" + output + "'\n");
    }

    void installScript(String name, String body) throws IOException {
        Path tool = bin.resolve(name);
        Files.writeString(tool, "#!/bin/bash\n" + body);
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void detectsCpusMemoryAndDiskOfThisMachine() {
        HostResources resources = detector().detect();

        assertThat(resources.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(resources.cpuArch()).isIn("x86", "arm");
        assertThat(resources.memoryMib()).isGreaterThan(0);
        assertThat(resources.diskMib()).isGreaterThan(0);
    }

    @Test
    void noGpuToolsMeansNoGpus() {
        assertThat(detector().detect().gpus()).isEmpty();
    }

    @Test
    void nvidiaGpusFromNvidiaSmi() throws IOException {
        installTool("nvidia-smi", "--query-gpu=name,memory.total --format=csv,noheader,nounits",
                "nvidia-smi-8xH100.csv");

        assertThat(detector().detect().gpus()).containsExactly(new HostGpu("nvidia", "H100", 81559, 8));
    }

    @Test
    void amdGpusFromAmdSmiInPreferenceToRocmSmi() throws IOException {
        installTool("amd-smi", "static --json --asic --vram", "amd-smi-rocm6-2xMI300X.json");
        installScript("rocm-smi", "echo 'rocm-smi must not be used when amd-smi is there' >&2; exit 3\n");

        assertThat(detector().detect().gpus()).containsExactly(new HostGpu("amd", "MI300X", 196592, 2));
    }

    @Test
    void amdGpusFromRocmSmiOnOlderRocm() throws IOException {
        installTool("rocm-smi", "--showproductname --showmeminfo vram --json", "rocm-smi-2xMI250.json");

        assertThat(detector().detect().gpus()).containsExactly(new HostGpu("amd", "MI250", 65520, 2));
    }

    @Test
    void failingGpuToolMeansNoGpusNotAnError() throws IOException {
        installScript("nvidia-smi", "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA"
                + " driver.\"; exit 9\n");

        HostResources resources = detector().detect();

        assertThat(resources.gpus()).isEmpty();
        assertThat(resources.memoryMib()).isGreaterThan(0);
    }
}
