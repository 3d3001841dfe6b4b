package ai.dstack.core.internal.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GroupsIpRefsTest {
    @Test
    void referencesAreReplacedByTheGroupsAddresses() {
        String command = "torchrun --master ${{ groups[0].nodes[0].IP_ADDRESS }} --peer ${{groups[1].nodes[1].IP_ADDRESS}}";

        String resolved = GroupsIpRefs.interpolate(command, List.of(List.of("10.0.0.1"), List.of("10.0.1.1", "10.0.1.2")), "nodes");

        assertThat(resolved).isEqualTo("torchrun --master 10.0.0.1 --peer 10.0.1.2");
    }

    @Test
    void escapedReferencesStay() {
        assertThat(GroupsIpRefs.interpolate("echo $${{ groups[0].nodes[0].IP_ADDRESS }}", List.of(List.of("10.0.0.1")), "nodes"))
                .isEqualTo("echo $${{ groups[0].nodes[0].IP_ADDRESS }}");
    }

    @Test
    void badReferencesAreNamed() {
        assertThatThrownBy(() -> GroupsIpRefs.validate("${{ groups[0].node[0].IP }}"))
                .hasMessage("Illegal reference name: groups[0].node[0].IP");
        assertThatThrownBy(() -> GroupsIpRefs.validateMember("${{ groups[0].replicas[0].IP_ADDRESS }}", "nodes"))
                .hasMessage("Illegal reference name: groups[0].replicas[0].IP_ADDRESS");
        assertThatThrownBy(() -> GroupsIpRefs.validateBounds("${{ groups[0].nodes[2].IP_ADDRESS }}", List.of(2), "nodes"))
                .hasMessage("Invalid reference groups[0].nodes[2].IP_ADDRESS: out of range");
        assertThatThrownBy(() -> GroupsIpRefs.validateBounds("${{ groups[1].replicas[0].IP_ADDRESS }}", List.of(1, 0), "replicas"))
                .hasMessage("Invalid reference groups[1].replicas[0].IP_ADDRESS: "
                        + "this group scales to zero, so no replica is guaranteed at start");
        assertThatThrownBy(() -> GroupsIpRefs.interpolate("${{ groups[0].nodes[0].IP_ADDRESS }}", List.of(List.of("")), "nodes"))
                .hasMessage("IP not available for groups[0].nodes[0].IP_ADDRESS");
    }
}
