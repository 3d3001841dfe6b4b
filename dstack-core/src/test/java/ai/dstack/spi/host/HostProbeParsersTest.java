package ai.dstack.spi.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostProbeParsersTest {

    static String sample(String name) {
        try (InputStream in = HostProbeParsersTest.class.getResourceAsStream("gpu/" + name)) {
            assertThat(in).as("test resource gpu/%s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eightH100sAreOneGroup() {
        assertThat(HostProbeParsers.parseNvidiaSmi(sample("nvidia-smi-8xH100.csv")))
                .containsExactly(new HostGpu("nvidia", "H100", 81559, 8));
    }

    @Test
    void a100NameDropsFormFactorAndMemory() {
        assertThat(HostProbeParsers.parseNvidiaSmi(sample("nvidia-smi-4xA100-80GB.csv")))
                .containsExactly(new HostGpu("nvidia", "A100", 81920, 4));
    }

    @Test
    void teslaPrefixIsDropped() {
        assertThat(HostProbeParsers.parseNvidiaSmi(sample("nvidia-smi-T4.csv")))
                .containsExactly(new HostGpu("nvidia", "T4", 15360, 1));
    }

    @Test
    void mixedGpusAreGroupedByModelInFirstSeenOrder() {
        assertThat(HostProbeParsers.parseNvidiaSmi(sample("nvidia-smi-workstation.csv")))
                .containsExactly(new HostGpu("nvidia", "RTX4090", 24564, 2), new HostGpu("nvidia", "RTX3090", 24576, 1));
    }

    @Test
    void windowsLineEndsAreAccepted() {
        assertThat(HostProbeParsers.parseNvidiaSmi(sample("nvidia-smi-crlf.csv")))
                .containsExactly(new HostGpu("nvidia", "A6000", 49140, 1), new HostGpu("nvidia", "L4", 23034, 1));
    }

    @Test
    void unavailableMemoryCountsAsZero() {
        assertThat(HostProbeParsers.parseNvidiaSmi(sample("nvidia-smi-GH200-no-memory.csv")))
                .containsExactly(new HostGpu("nvidia", "GH200", 0, 1));
    }

    @Test
    void emptyNvidiaOutputMeansNoGpus() {
        assertThat(HostProbeParsers.parseNvidiaSmi("\n")).isEmpty();
    }

    @Test
    void nvidiaLineWithoutMemoryIsRejectedNamingTheLine() {
        assertThatThrownBy(() -> HostProbeParsers.parseNvidiaSmi("NVIDIA L4, 23034\nNo devices were found\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2 'No devices were found'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "NVIDIA GeForce RTX 4060 Ti|RTX4060Ti",
        "NVIDIA GeForce RTX 4060|RTX4060",
        "NVIDIA RTX 4000 Ada Generation|RTX4000Ada",
        "NVIDIA L4|L4",
        "NVIDIA GH200 120GB|GH200",
        "NVIDIA A100-SXM4-80GB|A100",
        "NVIDIA A10G|A10G",
        "NVIDIA L40S|L40S",
        "NVIDIA H100 NVL|H100NVL",
        "NVIDIA H100 80GB HBM3|H100",
        "Tesla T4|T4",
        "NVIDIA GeForce RTX 2070 Super|RTX2070SUPER",
        "NVIDIA GeForce RTX 4070 Ti SUPER|RTX4070TiSUPER",
        "NVIDIA RTX A6000|A6000",
        "Tesla V100-SXM2-16GB|V100",
    })
    void nvidiaNamesFollowDstack(String smiName, String dstackName) {
        assertThat(HostProbeParsers.nvidiaShortName(smiName)).isEqualTo(dstackName);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "MI300X-O|MI300X",
        "Instinct MI210|MI210",
        "AMD INSTINCT MI250 (MCM) OAM AC MBA|MI250",
        "MI300A|MI300A",
        "Instinct MI325X|MI325X",
        "AMD Radeon PRO W7900|AMD Radeon PRO W7900",
    })
    void amdNamesFollowDstack(String marketName, String dstackName) {
        assertThat(HostProbeParsers.amdShortName(marketName)).isEqualTo(dstackName);
    }

    @Test
    void amdSmiRocm6ArrayWithSizeObject() {
        assertThat(HostProbeParsers.parseAmdSmi(sample("amd-smi-rocm6-2xMI300X.json")))
                .containsExactly(new HostGpu("amd", "MI300X", 196592, 2));
    }

    @Test
    void amdSmiRocm7WrappedInGpuData() {
        assertThat(HostProbeParsers.parseAmdSmi(sample("amd-smi-rocm7-MI300X-O.json")))
                .containsExactly(new HostGpu("amd", "MI300X", 196592, 1));
    }

    @Test
    void amdSmiSizeAsTextWithUnit() {
        assertThat(HostProbeParsers.parseAmdSmi(sample("amd-smi-rocm60-MI210.json")))
                .containsExactly(new HostGpu("amd", "MI210", 65520, 1));
    }

    @Test
    void amdSmiOutputThatIsNotJsonIsRejected() {
        assertThatThrownBy(() -> HostProbeParsers.parseAmdSmi("ERROR: no GPUs\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("amd-smi output is not JSON");
    }

    @Test
    void rocmSmiCardsWithBytesOfVram() {
        assertThat(HostProbeParsers.parseRocmSmi(sample("rocm-smi-2xMI250.json")))
                .containsExactly(new HostGpu("amd", "MI250", 65520, 2));
    }

    @Test
    void rocmSmiRadeonKeepsItsMarketName() {
        assertThat(HostProbeParsers.parseRocmSmi(sample("rocm-smi-radeon.json")))
                .containsExactly(new HostGpu("amd", "AMD Radeon PRO W7900", 46064, 1));
    }

    @Test
    void rocmSmiWithoutProductNameSaysWhichOptionIsMissing() {
        assertThatThrownBy(() -> HostProbeParsers.parseRocmSmi("{\"card0\": {\"VRAM Total Memory (B)\": \"1024\"}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("card0")
                .hasMessageContaining("--showproductname");
    }

    @Test
    void memInfoTotalInMib() {
        String meminfo = "MemTotal:       16318412 kB\nMemFree:         1022420 kB\nMemAvailable:    9813316 kB\n";
        assertThat(HostProbeParsers.parseMemInfoTotalMib(meminfo)).isEqualTo(16318412 / 1024);
    }

    @Test
    void memInfoWithoutTotalIsRejected() {
        assertThatThrownBy(() -> HostProbeParsers.parseMemInfoTotalMib("MemFree: 1 kB\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MemTotal");
    }

    @ParameterizedTest
    @CsvSource({"x86_64,x86", "amd64,x86", "aarch64,arm", "arm64,arm", "riscv64,unknown"})
    void cpuArchitectureNames(String machine, String dstackArch) {
        assertThat(HostProbeParsers.cpuArchOf(machine)).isEqualTo(dstackArch);
    }
}
