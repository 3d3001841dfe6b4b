package ai.dstack.server.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.offer.Gpu;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/project/{p}/gpus/list} ({@code dstack offer --group-by}): the GPUs of the offers a run spec gets, one
 * group per GPU type (and per backend, region or count when asked), with availabilities, spot kinds, count and price
 * ranges; fields that do not apply are left out, as dstack leaves out nulls here.
 */
final class GpuRoutes {
    private static final Set<String> GROUPS = Set.of("backend", "region", "count");

    private GpuRoutes() {}

    static List<Route> all() {
        return List.of(new Route("/api/project/{project_name}/gpus/list", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
            Fields body = call.body();
            RunSpec spec = body.typed("run_spec", RunSpec.class, true);
            List<String> groupBy = body.optStrings("group_by");
            body.bool("full_offers", false);
            body.bool("unallocated_resources", false);
            if (groupBy != null) {
                for (int i = 0; i < groupBy.size(); i++) {
                    if (!GROUPS.contains(groupBy.get(i))) {
                        body.problems().add(body.loc("group_by", i), "literal_error",
                                "Input should be 'backend', 'region' or 'count'", DstackJson.mapper().valueToTree(groupBy.get(i)));
                    }
                }
            }
            body.done();
            List<String> groups = groupBy == null ? List.of() : groupBy;
            if (groups.contains("region") && !groups.contains("backend")) {
                throw new DstackException(ErrorCode.ERROR, "Cannot group by 'region' without also grouping by 'backend'");
            }
            RunPlan plan = call.engine().runs().plan(call.project(), call.user(), spec, 10000);
            List<InstanceOfferWithAvailability> offers = plan.jobPlans().isEmpty() ? List.of() : plan.jobPlans().get(0).offers();
            ObjectNode reply = DstackJson.mapper().createObjectNode();
            reply.set("gpus", groups(offers, groups));
            return reply;
        }));
    }

    private static ArrayNode groups(List<InstanceOfferWithAvailability> offers, List<String> groupBy) {
        boolean byBackend = groupBy.contains("backend");
        boolean byRegion = groupBy.contains("region");
        boolean byCount = groupBy.contains("count");
        Map<List<Object>, ObjectNode> rows = new LinkedHashMap<>();
        for (InstanceOfferWithAvailability offer : offers) {
            Map<List<Object>, Integer> counts = new LinkedHashMap<>();
            for (Gpu gpu : offer.instance().resources().gpus()) {
                counts.merge(List.of(gpu.name(), gpu.memoryMib(), gpu.vendor().wireValue()), 1, Integer::sum);
            }
            String backend = DstackJson.mapper().valueToTree(offer.backend()).asText();
            for (Map.Entry<List<Object>, Integer> type : counts.entrySet()) {
                List<Object> key = new ArrayList<>(type.getKey());
                if (byBackend) {
                    key.add(backend);
                }
                if (byRegion) {
                    key.add(offer.region());
                }
                if (byCount) {
                    key.add(type.getValue());
                }
                ObjectNode row = rows.computeIfAbsent(key, k -> newRow(type.getKey(), type.getValue(), offer.price()));
                add(row, "availability", DstackJson.mapper().valueToTree(offer.availability()));
                add(row, "spot", DstackJson.mapper().getNodeFactory().textNode(
                        offer.instance().resources().spot() ? "spot" : "on-demand"));
                widen((ObjectNode) row.get("count"), type.getValue());
                widen((ObjectNode) row.get("price"), offer.price());
                if (byBackend) {
                    row.put("backend", backend);
                } else {
                    add(row, "backends", DstackJson.mapper().getNodeFactory().textNode(backend));
                }
                if (byRegion) {
                    row.put("region", offer.region());
                } else if (byBackend) {
                    add(row, "regions", DstackJson.mapper().getNodeFactory().textNode(offer.region()));
                }
            }
        }
        ArrayNode gpus = DstackJson.mapper().createArrayNode();
        rows.values().forEach(gpus::add);
        return gpus;
    }

    private static ObjectNode newRow(List<Object> type, int count, double price) {
        ObjectNode row = DstackJson.mapper().createObjectNode();
        row.put("name", (String) type.get(0));
        row.put("memory_mib", (Integer) type.get(1));
        row.put("vendor", (String) type.get(2));
        row.putArray("availability");
        row.putArray("spot");
        row.putObject("count").put("min", count).put("max", count);
        row.putObject("price").put("min", price).put("max", price);
        return row;
    }

    private static void add(ObjectNode row, String field, JsonNode value) {
        ArrayNode list = row.has(field) ? (ArrayNode) row.get(field) : row.putArray(field);
        for (JsonNode existing : list) {
            if (existing.equals(value)) {
                return;
            }
        }
        list.add(value);
    }

    private static void widen(ObjectNode range, double value) {
        if (value < range.get("min").asDouble()) {
            range.put("min", range.get("min").isInt() ? (int) value : value);
        }
        if (value > range.get("max").asDouble()) {
            range.put("max", range.get("max").isInt() ? (int) value : value);
        }
    }
}
