package ai.dstack.bench;

import ai.dstack.api.run.Run;
import ai.dstack.client.DstackClient;
import ai.dstack.client.RunQuery;
import java.util.ArrayList;
import java.util.List;

/** Every run of a project, read page by page (runs/list returns at most {@link RunQuery#MAX_LIMIT} at once). */
final class RunPages {
    private RunPages() {}

    static List<Run> all(DstackClient client, String project) {
        List<Run> all = new ArrayList<>();
        RunQuery query = RunQuery.ofProject(project);
        for (List<Run> page = client.listRuns(query); !page.isEmpty(); page = client.listRuns(query)) {
            all.addAll(page);
            Run last = page.get(page.size() - 1);
            query = query.toBuilder().prevSubmittedAt(last.submittedAt()).prevRunId(last.id()).build();
        }
        return all;
    }
}
