package ai.dstack.core.internal.placement;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.spi.host.HostGpu;
import ai.dstack.spi.host.HostResources;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How many blocks of a host a job's resources need, dstack's way of sharing an instance. */
class HostShapeTest {
    private static final HostResources HOST = new HostResources(8, "x86_64", 32 * 1024, 500 * 1024,
            List.of(new HostGpu("nvidia", "A100", 80 * 1024, 2)));

    private static ResourcesSpec resources(String yaml) {
        return DstackYaml.parse("type: task\ncommands: [x]\nresources: " + yaml + "\n", "t.yml", TaskConfiguration.class)
                .base().resources();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{}                               | 8 | 2",   // dstack's default: 2 CPUs, 8GB
        "{cpu: 0.., memory: 0GB..}        | 8 | 1",
        "{cpu: 4, memory: 1GB}            | 8 | 4",
        "{cpu: 1, memory: 20GB}           | 8 | 5",   // memory decides: 4GB per block
        "{cpu: 8}                         | 8 | 8",
        "{cpu: 9}                         | 8 | -1",  // more than the host has
        "{cpu: 1, memory: 64GB}           | 8 | -1",
        "{cpu: arm:1}                     | 8 | -1",  // wrong architecture
        "{cpu: 1, memory: 1GB, gpu: 1}    | 8 | 4",   // one of two GPUs is half the host
        "{cpu: 1, memory: 1GB, gpu: H100} | 8 | -1",  // no such GPU here
        "{cpu: 1, memory: 1GB, gpu: A100:40GB..:2} | 8 | 8",
        "{cpu: 2}                         | 2 | 1",   // bigger blocks
        "{disk: 10TB}                     | 8 | 2",   // disk is not a limit on the host's own filesystem
    })
    void blocksNeeded(String yaml, int blocks, int expected) {
        assertThat(new HostShape(HOST, blocks).blocksNeeded(resources(yaml))).isEqualTo(expected);
    }
}
