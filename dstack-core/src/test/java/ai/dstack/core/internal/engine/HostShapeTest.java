package ai.dstack.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.spi.host.HostResources;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostShapeTest {
    /** 8 CPUs, 32 GB, split in 8 blocks: a block is 1 CPU and 4 GB. */
    private final HostShape shape = new HostShape(new HostResources(8, "x86", 32 * 1024, 100 * 1024, List.of()), 8);

    private int blocks(String resources) {
        TaskConfiguration task = DstackYaml.parse("type: task\ncommands: [x]\nresources:\n" + resources, null,
                TaskConfiguration.class);
        return shape.blocksNeeded(task.base().resources());
    }

    @Test
    void aJobTakesTheBlocksItsLargestMinimumNeeds() {
        assertThat(blocks("  cpu: 1..\n  memory: 1GB..\n")).isEqualTo(1);
        assertThat(blocks("  cpu: 3..\n  memory: 1GB..\n")).isEqualTo(3);
        assertThat(blocks("  cpu: 1..\n  memory: 10GB..\n")).isEqualTo(3);
    }

    @Test
    void moreThanTheWholeHostCannotRunHereWhateverTheOtherResources() {
        assertThat(blocks("  cpu: 4096..\n  memory: 1GB..\n")).isEqualTo(-1);
        assertThat(blocks("  cpu: 1..\n  memory: 1TB..\n")).isEqualTo(-1);
        assertThat(blocks("  cpu: 1..\n  memory: 1GB..\n  gpu: 1\n")).isEqualTo(-1);
    }
}
