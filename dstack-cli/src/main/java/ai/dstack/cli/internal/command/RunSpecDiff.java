package ai.dstack.cli.internal.command;

import ai.dstack.api.json.DstackJson;
import ai.dstack.api.run.RunSpec;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Which fields of a run spec differ, as the lines dstack lists before asking to update or override a run. */
final class RunSpecDiff {
    private RunSpecDiff() {}

    /** Paths such as {@code configuration.commands}; empty when the specs are the same. */
    static List<String> changes(RunSpec current, RunSpec wanted) {
        JsonNode before = DstackJson.mapper().valueToTree(current);
        JsonNode after = DstackJson.mapper().valueToTree(wanted);
        List<String> changes = new ArrayList<>();
        for (String field : fields(before, after)) {
            if ("configuration".equals(field)) {
                for (String inner : fields(before.path(field), after.path(field))) {
                    if (!before.path(field).path(inner).equals(after.path(field).path(inner))) {
                        changes.add(field + "." + inner);
                    }
                }
            } else if (!before.path(field).equals(after.path(field)) && !"ssh_key_pub".equals(field)
                    && !"profile".equals(field)) {
                changes.add(field);
            }
        }
        return changes;
    }

    private static Set<String> fields(JsonNode a, JsonNode b) {
        Set<String> names = new TreeSet<>();
        for (JsonNode node : List.of(a, b)) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                names.add(it.next());
            }
        }
        return names;
    }
}
