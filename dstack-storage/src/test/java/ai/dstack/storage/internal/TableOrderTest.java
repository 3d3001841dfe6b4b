package ai.dstack.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TableOrderTest {
    @Test
    void everyTableComesAfterTheTablesItRefersTo() {
        Map<String, Set<String>> refersTo = new LinkedHashMap<>();
        refersTo.put("jobs", Set.of("runs", "instances", "projects"));
        refersTo.put("runs", Set.of("users", "projects"));
        refersTo.put("instances", Set.of("projects"));
        refersTo.put("projects", Set.of("users"));
        refersTo.put("users", Set.of());

        java.util.List<String> order = TableOrder.sorted(refersTo);

        assertThat(order).containsExactlyInAnyOrderElementsOf(refersTo.keySet());
        refersTo.forEach((table, parents) -> parents.forEach(parent ->
                assertThat(order.indexOf(parent)).as("%s before %s", parent, table).isLessThan(order.indexOf(table))));
    }

    @Test
    void aCycleIsAClearError() {
        Map<String, Set<String>> refersTo = Map.of("a", Set.of("b"), "b", Set.of("a"));

        assertThatThrownBy(() -> TableOrder.sorted(refersTo)).isInstanceOf(DstackException.class)
                .hasMessageContaining("form a cycle");
    }
}
