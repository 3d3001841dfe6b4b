package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.core.LocalFleetAccess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local fleet runs user commands on the server's own host: a plain user must not get at the server through it.
 * Two users, two projects, real server, real jobs (as root here and in CI, so jobs get users of their own).
 */
class LocalFleetSecurityTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SECRET = "s3cr3t-of-the-admin-" + System.nanoTime();
    private static final String AES_MARKER = "aes-key-marker-" + System.nanoTime();

    @TempDir
    Path dir;

    @Test
    void byDefaultOnlyGlobalAdminsRunOnTheLocalFleet() {
        try (ApiServer api = ApiServer.start(dir)) {
            String alice = Role.createUser(api, "alice");
            assertThat(api.post("/api/projects/main/add_members", api.adminToken,
                    "{\"members\":[" + Role.member("alice", "admin") + "]}").status()).isEqualTo(200);
            assertThat(api.post("/api/projects/create", alice, "{\"project_name\":\"alices\"}").status()).isEqualTo(200);

            JsonNode inMain = awaitEnd(api, "main", alice, submit(api, "main", alice, "alice-main", List.of(), "echo hi"));
            JsonNode inOwn = awaitEnd(api, "alices", alice, submit(api, "alices", alice, "alice-own", List.of(), "echo hi"));
            JsonNode admins = awaitEnd(api, "main", api.adminToken,
                    submit(api, "main", api.adminToken, "admin-main", List.of(), "echo hi"));

            assertThat(inMain.path("status").asText()).isEqualTo("failed");
            assertThat(latest(inMain).path("termination_reason_message").asText())
                    .contains("serves only global admins", LocalFleetAccess.VARIABLE);
            assertThat(inOwn.path("status").asText()).isEqualTo("failed");
            assertThat(admins.path("status").asText()).as("%s", admins).isEqualTo("done");
        }
    }

    @Test
    void aMembersJobReadsNoServerStateNoOtherJobsSecretsAndNoServerEnvironment() throws Exception {
        // A server directory others may walk through (as under /var/lib), so that only its own modes protect it.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path server = dir.resolve("server");
        Files.createDirectories(server);
        // An older install's config.yml, world-readable, with the encryption key in it.
        Path config = server.resolve("config.yml");
        Files.writeString(config, "encryption:\n  keys:\n  - type: aes\n    name: key1\n    secret: " + AES_MARKER + "\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        try (ApiServer api = ApiServer.start(dir, engine -> engine.localFleet(LocalFleetAccess.MEMBERS))) {
            String alice = Role.createUser(api, "alice");
            assertThat(api.post("/api/projects/main/add_members", api.adminToken,
                    "{\"members\":[" + Role.member("alice", "user") + "]}").status()).isEqualTo(200);
            // Bob's project has a secret of its own.
            String bob = Role.createUser(api, "bob");
            assertThat(api.post("/api/projects/create", bob, "{\"project_name\":\"bobs\"}").status()).isEqualTo(200);
            assertThat(api.post("/api/project/bobs/secrets/create_or_update", bob,
                    "{\"name\":\"BOBS\",\"value\":\"bobs-" + SECRET + "\"}").status()).isEqualTo(200);
            // The admin's job in main holds a secret in its environment and runs while alice's job looks around.
            assertThat(api.post("/api/project/main/secrets/create_or_update", api.adminToken,
                    "{\"name\":\"TOP\",\"value\":\"" + SECRET + "\"}").status()).isEqualTo(200);
            String victim = submit(api, "main", api.adminToken, "victim", List.of("TOP=${{ secrets.TOP }}"),
                    "echo started", "sleep 120");
            await().atMost(WAIT).until(() -> logs(api, "main", api.adminToken, victim).contains("started"));

            // Where the jobs really are (a directory of their own when they run as users of their own).
            Path jobs = server.resolve("local").resolve("jobs").toRealPath();
            // Commands are joined with &&: each probe ends with "; true" so that all of them run.
            String attacker = submit(api, "main", alice, "attacker", List.of(),
                    "echo \"HOME=$HOME\"",
                    "cat " + server.resolve("config.yml") + " " + server.resolve("data/sqlite.db") + " 2>&1 | head -c 2000; true",
                    "cat ~/.dstack/config.yml " + Path.of(System.getProperty("user.home"), ".dstack", "config.yml")
                            + " 2>&1 | head -c 2000; true",
                    "ls -la " + server + " " + jobs + " 2>&1; true",
                    "echo own-home-works > $HOME/mine && cat $HOME/mine && cat $DSTACK_WORKING_DIR/../../" + "*/job.sh 2>&1; true",
                    // the supervisors name their jobs in the process list: try each one's files
                    "for j in $(cat /proc/[0-9]*/cmdline | tr '\\0' '\\n' | sed -n 's/^dstack-job-supervisor //p'); do cat " + jobs + "/$j/job.sh "
                            + jobs + "/$j/log 2>&1; done | head -c 5000; true",
                    "cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -a -e TOP= -e DSTACK_ | head -c 5000; true",
                    "grep -r -a -h -e " + SECRET + " " + server + " 2>&1 | head -c 2000; true",
                    "echo ENV", "env | cut -d= -f1 | sort");
            JsonNode ended = awaitEnd(api, "main", alice, attacker);
            String output = logs(api, "main", alice, attacker);

            assertThat(ended.path("status").asText()).as(output).isEqualTo("done");
            assertThat(output).contains("own-home-works", "Permission denied", "ENV\n");
            assertThat(output).doesNotContain(SECRET).doesNotContain(AES_MARKER).doesNotContain(api.adminToken)
                    .doesNotContain(bob).doesNotContain(alice);
            assertThat(output).doesNotContain("HOME=" + System.getProperty("user.home") + "\n")
                    .containsPattern("HOME=" + jobs + "/[^/]+/home");
            Set<String> allowed = Set.of("PATH", "LANG", "HOME", "USER", "LOGNAME", "PWD", "OLDPWD", "SHLVL", "_",
                    "DSTACK_WORKING_DIR");
            List<String> serverVariables = new ArrayList<>();
            for (String name : output.substring(output.lastIndexOf("ENV\n") + 4).split("\n")) {
                if (System.getenv(name) != null && !allowed.contains(name)) {
                    serverVariables.add(name);
                }
            }
            assertThat(serverVariables).as("the server's own variables in the job").isEmpty();
            assertThat(Files.getPosixFilePermissions(config)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            api.post("/api/project/main/runs/stop", api.adminToken, "{\"runs_names\":[\"" + victim + "\"],\"abort\":true}");
        }
    }

    static String submit(ApiServer api, String project, String token, String name, List<String> env,
            String... commands) {
        ObjectNode configuration = ApiServer.json("{\"type\":\"task\",\"name\":\"" + name
                + "\",\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"}}");
        commands = commands.clone();
        for (String command : commands) {
            configuration.withArray("commands").add(command);
        }
        env.forEach(entry -> configuration.withArray("env").add(entry));
        String p = "/api/project/" + project + "/";
        assertThat(api.post(p + "repos/init", token,
                "{\"repo_id\":\"none\",\"repo_info\":{\"repo_type\":\"virtual\"},\"repo_creds\":null}").status())
                .isEqualTo(200);
        ObjectNode spec = ApiServer.object();
        spec.put("run_name", name);
        spec.put("configuration_path", "task.dstack.yml");
        spec.set("configuration", configuration);
        ObjectNode planRequest = ApiServer.object();
        planRequest.set("run_spec", spec);
        ApiServer.Reply plan = api.post(p + "runs/get_plan", token, planRequest);
        assertThat(plan.status()).as("%s", plan).isEqualTo(200);
        ObjectNode applyRequest = ApiServer.object();
        applyRequest.putObject("plan").set("run_spec", plan.body().get("run_spec"));
        applyRequest.put("force", false);
        ApiServer.Reply run = api.post(p + "runs/apply", token, applyRequest);
        assertThat(run.status()).as("%s", run).isEqualTo(200);
        return name;
    }

    static JsonNode get(ApiServer api, String project, String token, String name) {
        ApiServer.Reply run = api.post("/api/project/" + project + "/runs/get", token,
                "{\"run_name\":\"" + name + "\",\"id\":null}");
        assertThat(run.status()).as("%s", run).isEqualTo(200);
        return run.body();
    }

    static JsonNode awaitEnd(ApiServer api, String project, String token, String name) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> List.of("done", "failed", "terminated")
                .contains((last[0] = get(api, project, token, name)).path("status").asText()));
        return last[0];
    }

    static JsonNode latest(JsonNode run) {
        JsonNode submissions = run.path("jobs").path(0).path("job_submissions");
        return submissions.get(submissions.size() - 1);
    }

    static String logs(ApiServer api, String project, String token, String name) {
        String submission = latest(get(api, project, token, name)).path("id").asText();
        ApiServer.Reply polled = api.post("/api/project/" + project + "/logs/poll", token, "{\"run_name\":\"" + name
                + "\",\"job_submission_id\":\"" + submission + "\",\"limit\":1000}");
        assertThat(polled.status()).as("%s", polled).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        polled.body().path("logs").forEach(e -> text.append(new String(Base64.getDecoder()
                .decode(e.path("message").asText()), StandardCharsets.UTF_8)));
        return text.toString();
    }
}
