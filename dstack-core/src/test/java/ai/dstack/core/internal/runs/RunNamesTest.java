package ai.dstack.core.internal.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunNamesTest {
    @Test
    void aNameIsAnAdjectiveAnAnimalAndTheFirstFreeNumber() {
        String first = new RunNames(new Random(7)).generate(name -> false);
        String base = first.substring(0, first.lastIndexOf('-'));
        Set<String> taken = Set.of(base + "-1", base + "-2", base + "-4");

        String next = new RunNames(new Random(7)).generate(taken::contains);

        assertThat(first).endsWith("-1");
        String[] parts = first.split("-");
        assertThat(RunNames.ADJECTIVES).contains(parts[0]);
        assertThat(RunNames.ANIMALS).contains(parts[1]);
        assertThat(next).isEqualTo(base + "-3");
    }

    @Test
    void theWordListsAreDstacksAndEveryNameIsAValidRunName() {
        assertThat(RunNames.ADJECTIVES).hasSize(131).startsWith("afraid", "ancient").doesNotHaveDuplicates();
        assertThat(RunNames.ANIMALS).hasSize(102).startsWith("ape", "baboon").endsWith("yak", "zebra").doesNotHaveDuplicates();
        for (String adjective : RunNames.ADJECTIVES) {
            for (String animal : RunNames.ANIMALS) {
                assertThat(adjective + "-" + animal + "-1").matches(RunSpecDefaults.RESOURCE_NAME);
            }
        }
    }

    @Test
    void namesVary() {
        RunNames names = new RunNames(new Random(1));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            seen.add(names.generate(name -> false));
        }
        assertThat(seen).hasSizeGreaterThan(40);
    }
}
