package ai.dstack.server.internal;

import ai.dstack.api.json.DstackJson;
import ai.dstack.api.offer.GpuGrouping;
import ai.dstack.api.run.RunSpec;
import ai.dstack.client.ListGpusRequest;
import ai.dstack.core.app.Operation;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /api/project/{p}/gpus/list} ({@code dstack offer --group-by}): the body's shape is checked here (FastAPI's
 * 422 for an unknown grouping); the grouping itself is the application's.
 */
final class GpuRoutes {
    private GpuRoutes() {}

    static List<Route> all() {
        return List.of(new Route("/api/project/{project_name}/gpus/list", Operation.LIST_GPUS, Route.Body.REQUIRED, call -> {
            Fields body = call.body();
            RunSpec spec = body.typed("run_spec", RunSpec.class, true);
            List<String> groupBy = body.optStrings("group_by");
            body.bool("full_offers", false);
            body.bool("unallocated_resources", false);
            List<GpuGrouping> groups = new ArrayList<>();
            if (groupBy != null) {
                for (int i = 0; i < groupBy.size(); i++) {
                    GpuGrouping grouping = GpuGrouping.fromWireValue(groupBy.get(i));
                    if (grouping == null) {
                        body.problems().add(body.loc("group_by", i), "literal_error",
                                "Input should be 'backend', 'region' or 'count'", DstackJson.mapper().valueToTree(groupBy.get(i)));
                    } else {
                        groups.add(grouping);
                    }
                }
            }
            body.done();
            ObjectNode reply = DstackJson.mapper().createObjectNode();
            reply.set("gpus", DstackJson.mapper().valueToTree(
                    call.app().listGpus(call.caller(), call.project(), new ListGpusRequest(spec, groups))));
            return reply;
        }));
    }
}
