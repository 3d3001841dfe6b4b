package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.yaml.Corpus;
import ai.dstack.api.yaml.DstackYaml;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run configuration of the shared corpus of real {@code .dstack.yml} files, planned through the API the way
 * dstack's CLI sends it: each plan is a 200 with dstack's reply shape, or a 400 naming what the server refuses;
 * never a 422 (the wire form must read back) and never a 5xx. Nothing is applied: these are real commands.
 */
class CorpusPlanTest {
    @TempDir
    static Path dir;

    private static ApiServer api;

    @BeforeAll
    static void start() {
        if (Corpus.available()) { // without it the test is skipped: no server needed
            api = ApiServer.start(dir);
        }
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void everyRunConfigurationOfTheCorpusIsPlannedOrRefusedClearly() {
        List<Path> corpus = Corpus.files();
        List<String> problems = new ArrayList<>();
        int planned = 0;
        for (Path file : corpus) {
            Configuration configuration;
            try {
                configuration = DstackYaml.read(file);
            } catch (ConfigurationException e) {
                continue; // dstack refuses it too; the parser's own tests cover that
            }
            if (!(configuration instanceof RunConfiguration)) {
                continue;
            }
            ObjectNode request = ApiServer.object();
            ObjectNode spec = request.putObject("run_spec");
            spec.put("configuration_path", file.getFileName().toString());
            spec.set("configuration", DstackYaml.toJsonTree(configuration));
            ApiServer.Reply reply = api.post("/api/project/main/runs/get_plan", api.adminToken, request);
            if (reply.status() == 200) {
                planned++;
                List<String> shape = Shapes.RUN_PLAN.check(reply.body());
                if (!shape.isEmpty()) {
                    problems.add(file.getFileName() + ": " + shape);
                }
            } else if (reply.status() != 400 || !reply.body().path("detail").path(0).path("msg").isTextual()) {
                problems.add(file.getFileName() + ": " + reply);
            }
        }
        assertThat(problems).isEmpty();
        // Most of the corpus plans; the rest asks for what no host here honours (python:, volumes, spot, gateways...)
        // and is refused by name (JobFieldSupport): 37 planned when that rule landed.
        assertThat(planned).isGreaterThan(30);
    }
}
