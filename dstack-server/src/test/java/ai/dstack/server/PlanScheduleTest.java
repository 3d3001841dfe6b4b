package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runs/get_plan refuses the schedules runs/apply refuses, with the same message. */
class PlanScheduleTest {
    @TempDir
    static Path dir;

    private static ApiServer api;

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static ApiServer.Reply call(String route, String cron) {
        ObjectNode spec = ApiServer.json("{\"run_name\":\"scheduled\",\"configuration\":{\"type\":\"task\","
                + "\"commands\":[\"true\"],\"schedule\":{\"cron\":\"" + cron + "\"}}}");
        ObjectNode request = ApiServer.object();
        if (route.equals("get_plan")) {
            request.set("run_spec", spec);
        } else {
            request.putObject("plan").set("run_spec", spec);
            request.put("force", false);
        }
        return api.post("/api/project/main/runs/" + route, api.adminToken, request);
    }

    @Test
    void aCronThatNeverFiresOrDoesNotParseIsRefusedByThePlanAsByApply() {
        for (String cron : new String[] {"0 0 31 2 *", "61 * * * *"}) {
            ApiServer.Reply plan = call("get_plan", cron);
            ApiServer.Reply apply = call("apply", cron);

            assertThat(apply.status()).as("%s", apply).isEqualTo(400);
            assertThat(plan.status()).as("%s", plan).isEqualTo(400);
            assertThat(plan.body()).isEqualTo(apply.body());
            assertThat(plan.body().toString()).contains("schedule.cron");
        }
        assertThat(call("get_plan", "*/5 * * * *").status()).isEqualTo(200);
    }
}
