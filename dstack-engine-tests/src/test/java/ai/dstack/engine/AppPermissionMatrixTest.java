package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.ApplyFleetRequest;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.client.InstanceQuery;
import ai.dstack.client.ListGpusRequest;
import ai.dstack.client.MemberSetting;
import ai.dstack.client.NewUser;
import ai.dstack.client.ProjectQuery;
import ai.dstack.client.RunPlanRequest;
import ai.dstack.client.RunQuery;
import ai.dstack.client.TarWriter;
import ai.dstack.client.UserQuery;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.app.Caller;
import ai.dstack.core.app.DstackApp;
import ai.dstack.core.app.Operation;
import ai.dstack.core.app.PermissionDenied;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operation of the application layer ({@link Operation}) called by every kind of caller, with the outcome
 * dstack's permission rules give. The server's routes and the embedded client are adapters over these operations,
 * so a route can no longer skip a check: the check is here, and an operation without a row fails this test.
 *
 * <p>Columns: {@code GLOBAL_ADMIN PROJECT_ADMIN MANAGER USER NON_MEMBER PUBLIC NO_CALLER}, where PUBLIC is a
 * non-member in a public project and NO_CALLER a call without an authenticated caller. Outcomes: {@code ok};
 * {@code 403} a permission dependency's denial ({@link PermissionDenied}); {@code 403s} a service's refusal
 * (FORBIDDEN, dstack's {@code ForbiddenError}); {@code 404} an unknown project; {@code 400} any other dstack error,
 * after the checks passed (the arguments are harmless and mostly refer to nothing).
 */
class AppPermissionMatrixTest {
    private static final String TASK = "type: task\ncommands: [echo hi]\nresources: {cpu: 0.., memory: 0GB..}\n";

    enum Column { GLOBAL_ADMIN, PROJECT_ADMIN, MANAGER, USER, NON_MEMBER, PUBLIC, NO_CALLER }

    @FunctionalInterface
    interface Call {
        Object call(DstackApp app, Caller caller, String project, String tag) throws Exception;
    }

    record Row(String expected, Call call) {}

    @TempDir
    static Path dir;

    private static DstackEngine engine;
    private static final Map<Column, Caller> callers = new EnumMap<>(Column.class);

    @BeforeAll
    static void start() {
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(2).build();
        DstackApp app = engine.app();
        Caller admin = app.authenticate(engine.adminToken());
        for (String name : List.of("padmin", "pmanager", "puser", "outsider")) {
            engine.createUser(NewUser.of(name, GlobalRole.USER));
        }
        engine.createProject("proj", false);
        engine.addMembers("proj", List.of(new MemberSetting("padmin", ProjectRole.ADMIN),
                new MemberSetting("pmanager", ProjectRole.MANAGER), new MemberSetting("puser", ProjectRole.USER)));
        engine.createProject("open", true);
        callers.put(Column.GLOBAL_ADMIN, admin);
        callers.put(Column.PROJECT_ADMIN, caller(app, admin, "padmin"));
        callers.put(Column.MANAGER, caller(app, admin, "pmanager"));
        callers.put(Column.USER, caller(app, admin, "puser"));
        callers.put(Column.NON_MEMBER, caller(app, admin, "outsider"));
        callers.put(Column.PUBLIC, caller(app, admin, "outsider"));
    }

    private static Caller caller(DstackApp app, Caller admin, String name) {
        return app.authenticate(app.getUser(admin, name).creds().token());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static RunSpec spec(String runName) {
        return RunSpec.newBuilder().runName(runName).configuration(DstackYaml.parse(TASK, "task.dstack.yml",
                TaskConfiguration.class)).build();
    }

    private static Map<Operation, Row> rows() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a\n");
        byte[] tar = new TarWriter().add(data, "data").toByteArray();
        String hash = ai.dstack.core.internal.app.Sha256.hex(tar);
        String everyone = "ok   ok   ok   ok   ok   ok   403";
        String members = "ok   ok   ok   ok   403  403  403";
        String membersFail = "400  400  400  400  403  403  403";
        String admins = "400  400  403  403  403  403  403";
        String globalAdmin = "ok   403  403  403  403  403  403";
        Map<Operation, Row> rows = new LinkedHashMap<>();
        rows.put(Operation.SERVER_INFO, new Row("ok ok ok ok ok ok ok", (a, c, p, t) -> a.serverInfo()));
        rows.put(Operation.LIST_BACKEND_TYPES, new Row("ok ok ok ok ok ok ok", (a, c, p, t) -> a.backendTypes()));

        rows.put(Operation.LIST_USERS, new Row(everyone, (a, c, p, t) -> a.listUsers(c, UserQuery.all(), false)));
        rows.put(Operation.GET_MY_USER, new Row(everyone, (a, c, p, t) -> a.me(c)));
        rows.put(Operation.GET_USER, new Row("ok 400 400 ok 400 400 403", (a, c, p, t) -> a.getUser(c, "puser")));
        rows.put(Operation.CREATE_USER, new Row(globalAdmin, (a, c, p, t) -> a.createUser(c, NewUser.of("made-" + t, GlobalRole.USER))));
        rows.put(Operation.UPDATE_USER, new Row(globalAdmin,
                (a, c, p, t) -> a.updateUser(c, new NewUser("outsider", GlobalRole.USER, null, true))));
        rows.put(Operation.REFRESH_TOKEN, new Row("400 403 403 403 403 403 403", (a, c, p, t) -> a.refreshToken(c, "zz-nobody")));
        rows.put(Operation.REFRESH_SSH_KEY, new Row("400 403 403 403 403 403 403", (a, c, p, t) -> a.refreshSshKey(c, "zz-nobody")));
        rows.put(Operation.DELETE_USERS, new Row("400 403 403 403 403 403 403", (a, c, p, t) -> {
            a.deleteUsers(c, List.of("zz-nobody"));
            return null;
        }));
        rows.put(Operation.LIST_PUBLIC_KEYS, new Row(everyone, (a, c, p, t) -> a.listPublicKeys(c)));
        rows.put(Operation.ADD_PUBLIC_KEY, new Row("400 400 400 400 400 400 403", (a, c, p, t) -> a.addPublicKey(c, "not a key", null)));
        rows.put(Operation.DELETE_PUBLIC_KEYS, new Row(everyone, (a, c, p, t) -> {
            a.deletePublicKeys(c, List.of(UUID.randomUUID()));
            return null;
        }));

        rows.put(Operation.LIST_PROJECTS, new Row(everyone, (a, c, p, t) -> a.listProjects(c, ProjectQuery.all(), false)));
        rows.put(Operation.LIST_PROJECTS_WITHOUT_FLEETS, new Row(everyone, (a, c, p, t) -> a.listProjectsWithoutFleets(c)));
        rows.put(Operation.CREATE_PROJECT, new Row(everyone, (a, c, p, t) -> a.createProject(c, "by-" + t, false)));
        rows.put(Operation.DELETE_PROJECTS, new Row("400 403s 403s 403s 403s 403s 403", (a, c, p, t) -> {
            a.deleteProjects(c, List.of("zz-none"));
            return null;
        }));
        rows.put(Operation.GET_PROJECT, new Row("ok ok ok ok 403 ok 403", (a, c, p, t) -> a.getProject(c, p)));
        rows.put(Operation.UPDATE_PROJECT, new Row("ok ok 403 403 403 403 403", (a, c, p, t) -> a.updateProject(c, p, null, null)));
        rows.put(Operation.SET_MEMBERS, new Row("ok ok ok 403 403 403 403", (a, c, p, t) -> a.setMembers(c, p, p.equals("proj")
                ? List.of(new MemberSetting("admin", ProjectRole.ADMIN), new MemberSetting("padmin", ProjectRole.ADMIN),
                        new MemberSetting("pmanager", ProjectRole.MANAGER), new MemberSetting("puser", ProjectRole.USER))
                : List.of(new MemberSetting("admin", ProjectRole.ADMIN)))));
        rows.put(Operation.ADD_MEMBERS, new Row("ok ok ok 403 403 403s 403",
                (a, c, p, t) -> a.addMembers(c, p, List.of(new MemberSetting("puser", ProjectRole.USER)))));
        rows.put(Operation.REMOVE_MEMBERS, new Row("400 400 400 403s 403 403 403", (a, c, p, t) -> a.removeMembers(c, p, List.of("zz-nobody"))));

        rows.put(Operation.CHANGE_PROJECT_ADMIN_ROLES, new Row("ok ok 403 403 403 403 403", (a, c, p, t) -> {
            a.authorize(c, Operation.CHANGE_PROJECT_ADMIN_ROLES, p);
            return null;
        }));

        rows.put(Operation.LIST_RUNS, new Row(everyone, (a, c, p, t) -> a.listRuns(c, RunQuery.ofProject(p))));
        rows.put(Operation.GET_RUN, new Row(membersFail, (a, c, p, t) -> a.getRun(c, p, "zz-none", null)));
        rows.put(Operation.GET_RUN_PLAN, new Row(members, (a, c, p, t) -> a.getRunPlan(c, p, RunPlanRequest.of(spec(null)))));
        rows.put(Operation.APPLY_RUN, new Row(membersFail, (a, c, p, t) -> a.applyRun(c, p, ApplyRunRequest.of(spec("Bad_Name")))));
        rows.put(Operation.STOP_RUNS, new Row(members, (a, c, p, t) -> {
            a.stopRuns(c, p, List.of("zz-none"), false);
            return null;
        }));
        rows.put(Operation.DELETE_RUNS, new Row(members, (a, c, p, t) -> {
            a.deleteRuns(c, p, List.of("zz-none"));
            return null;
        }));
        rows.put(Operation.POLL_LOGS, new Row(members,
                (a, c, p, t) -> a.pollLogs(c, p, PollLogsRequest.newBuilder("zz-none", UUID.randomUUID()).build())));
        rows.put(Operation.GET_JOB_METRICS, new Row(membersFail,
                (a, c, p, t) -> a.getJobMetrics(c, p, "zz-none", null, 0, 0, 1, null, null)));
        rows.put(Operation.LIST_GPUS, new Row(members, (a, c, p, t) -> a.listGpus(c, p, ListGpusRequest.of(spec(null)))));
        rows.put(Operation.USE_SERVICES, new Row(members, (a, c, p, t) -> {
            a.authorize(c, Operation.USE_SERVICES, p);
            return null;
        }));

        rows.put(Operation.LIST_SECRETS, new Row("ok ok 403s 403 403 403 403", (a, c, p, t) -> a.listSecrets(c, p)));
        rows.put(Operation.GET_SECRET, new Row("400 400 403s 403 403 403 403", (a, c, p, t) -> a.getSecret(c, p, "zz")));
        rows.put(Operation.SET_SECRET, new Row("ok ok 403s 403 403 403 403", (a, c, p, t) -> a.setSecret(c, p, "S1", "v")));
        rows.put(Operation.DELETE_SECRETS, new Row("400 400 403s 403 403 403 403", (a, c, p, t) -> {
            a.deleteSecrets(c, p, List.of("zz"));
            return null;
        }));

        rows.put(Operation.LIST_REPOS, new Row(members, (a, c, p, t) -> a.listRepos(c, p)));
        rows.put(Operation.GET_REPO, new Row(membersFail, (a, c, p, t) -> a.getRepo(c, p, "zz", false)));
        rows.put(Operation.INIT_REPO, new Row(members, (a, c, p, t) -> {
            a.initRepo(c, p, "r-" + t, new RepoInfo.Virtual(), null);
            return null;
        }));
        rows.put(Operation.DELETE_REPOS, new Row(members, (a, c, p, t) -> {
            a.deleteRepos(c, p, List.of("zz"));
            return null;
        }));
        rows.put(Operation.UPLOAD_CODE, new Row(membersFail, (a, c, p, t) -> {
            a.uploadCode(c, p, "zz-none", hash, tar);
            return null;
        }));
        rows.put(Operation.UPLOAD_ARCHIVE, new Row(everyone, (a, c, p, t) -> a.uploadArchive(c, hash, tar)));
        rows.put(Operation.GET_ARCHIVE_BY_HASH, new Row("400 400 400 400 400 400 403", (a, c, p, t) -> a.getArchiveByHash(c, "zz")));

        rows.put(Operation.LIST_ALL_FLEETS, new Row(everyone, (a, c, p, t) -> a.listAllFleets(c, null, false, null, null, 100, false)));
        rows.put(Operation.LIST_FLEETS, new Row(members, (a, c, p, t) -> a.listFleets(c, p)));
        rows.put(Operation.GET_FLEET, new Row(membersFail, (a, c, p, t) -> a.getFleet(c, p, "zz", null)));
        FleetSpec noConfiguration = new FleetSpec(null, null, null, false);
        rows.put(Operation.GET_FLEET_PLAN, new Row(membersFail, (a, c, p, t) -> a.getFleetPlan(c, p, noConfiguration)));
        rows.put(Operation.APPLY_FLEET, new Row(membersFail, (a, c, p, t) -> a.applyFleet(c, p, ApplyFleetRequest.of(noConfiguration))));
        rows.put(Operation.DELETE_FLEETS, new Row(membersFail, (a, c, p, t) -> {
            a.deleteFleets(c, p, List.of("zz"));
            return null;
        }));
        rows.put(Operation.DELETE_FLEET_INSTANCES, new Row(membersFail, (a, c, p, t) -> {
            a.deleteFleetInstances(c, p, "zz", List.of(0));
            return null;
        }));
        // dstack's default_permissions let every member manage SSH fleets.
        rows.put(Operation.MANAGE_SSH_FLEETS, new Row(members, (a, c, p, t) -> {
            a.authorize(c, Operation.MANAGE_SSH_FLEETS, p);
            return null;
        }));
        rows.put(Operation.READ_SERVER_KEY_FILES, new Row(globalAdmin, (a, c, p, t) -> {
            a.authorize(c, Operation.READ_SERVER_KEY_FILES, p);
            return null;
        }));
        rows.put(Operation.LIST_INSTANCES, new Row(everyone, (a, c, p, t) -> a.listInstances(c, InstanceQuery.all())));
        rows.put(Operation.GET_INSTANCE, new Row(membersFail, (a, c, p, t) -> a.getInstance(c, p, UUID.randomUUID())));
        rows.put(Operation.GET_INSTANCE_HEALTH_CHECKS, new Row(members, (a, c, p, t) -> a.instanceHealthChecks(c, p, "zz", 0)));

        rows.put(Operation.CREATE_BACKEND, new Row(admins, (a, c, p, t) -> a.createBackend(c, p, JsonNodeFactory.instance.objectNode())));
        rows.put(Operation.UPDATE_BACKEND, new Row(admins, (a, c, p, t) -> a.updateBackend(c, p, JsonNodeFactory.instance.objectNode())));
        rows.put(Operation.DELETE_BACKENDS, new Row(admins, (a, c, p, t) -> {
            a.deleteBackends(c, p, List.of("zz"));
            return null;
        }));
        rows.put(Operation.GET_BACKEND, new Row(admins, (a, c, p, t) -> a.backendConfig(c, p, "aws")));

        rows.put(Operation.LIST_ALL_VOLUMES, new Row(everyone, (a, c, p, t) -> a.listAllVolumes(c, null)));
        rows.put(Operation.LIST_VOLUMES, new Row(members, (a, c, p, t) -> a.listVolumes(c, p)));
        rows.put(Operation.GET_VOLUME, new Row(membersFail, (a, c, p, t) -> a.getVolume(c, p, "zz")));
        rows.put(Operation.CREATE_VOLUME, new Row(membersFail, (a, c, p, t) -> a.createVolume(c, p, JsonNodeFactory.instance.objectNode())));
        rows.put(Operation.DELETE_VOLUMES, new Row(members, (a, c, p, t) -> {
            a.deleteVolumes(c, p, List.of("zz"));
            return null;
        }));
        rows.put(Operation.LIST_EXPORTS, new Row(members, (a, c, p, t) -> a.listExports(c, p)));
        rows.put(Operation.CHANGE_EXPORT, new Row(admins, (a, c, p, t) -> a.changeExport(c, p)));
        rows.put(Operation.DELETE_EXPORT, new Row(admins, (a, c, p, t) -> {
            a.deleteExport(c, p, "zz");
            return null;
        }));
        rows.put(Operation.LIST_IMPORTS, new Row(members, (a, c, p, t) -> a.listImports(c, p)));
        rows.put(Operation.DELETE_IMPORT, new Row(admins, (a, c, p, t) -> {
            a.deleteImport(c, p, "zz", "zz");
            return null;
        }));
        rows.put(Operation.LIST_TEMPLATES, new Row(members, (a, c, p, t) -> a.listTemplates(c, p)));
        rows.put(Operation.LIST_EVENTS, new Row(everyone,
                (a, c, p, t) -> a.listEvents(c, ai.dstack.api.event.ListEventsRequest.all(10))));
        return rows;
    }

    @Test
    void everyOperationHasARow() throws Exception {
        assertThat(rows().keySet()).as("operations without a row in this matrix").containsExactlyInAnyOrder(Operation.values());
    }

    @Test
    void everyCallerGetsDstacksAnswerFromEveryOperation() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<Operation, Row> row : rows().entrySet()) {
            List<String> got = new ArrayList<>();
            for (Column column : Column.values()) {
                String project = column == Column.PUBLIC ? "open" : "proj";
                String tag = row.getKey().name().toLowerCase(Locale.ROOT).replace('_', '-') + "-"
                        + column.name().toLowerCase(Locale.ROOT).replace('_', '-');
                got.add(outcome(() -> row.getValue().call().call(engine.app(), callers.get(column), project, tag)));
            }
            String expected = String.join(" ", row.getValue().expected().trim().split("\\s+"));
            if (!String.join(" ", got).equals(expected)) {
                wrong.add(row.getKey() + ": expected " + expected + " but got " + String.join(" ", got));
            }
        }
        assertThat(wrong).as("operations whose outcomes differ (columns %s)", List.of(Column.values())).isEmpty();
    }

    @Test
    void anUnknownProjectIsNotFoundForEveryCallerBeforeTheRoleIsChecked() {
        for (Column column : List.of(Column.GLOBAL_ADMIN, Column.USER, Column.NON_MEMBER)) {
            assertThat(outcome(() -> engine.app().getRun(callers.get(column), "zz-none", "x", null))).isEqualTo("404");
        }
    }

    @Test
    void aTokenNoActiveUserHasIsRefusedAsDstackRefusesIt() {
        assertThatThrownBy(() -> engine.app().authenticate("not-a-token"))
                .isInstanceOf(PermissionDenied.class).hasMessage("Invalid token");
    }

    private static String outcome(ThrowingCall call) {
        try {
            call.run();
            return "ok";
        } catch (PermissionDenied e) {
            return "403";
        } catch (DstackException e) {
            if (e.code() == ErrorCode.FORBIDDEN) {
                return "403s";
            }
            return e.code() == ErrorCode.NOT_FOUND ? "404" : e.code() == ErrorCode.INTERNAL ? "500 " + e.getMessage() : "400";
        } catch (Exception e) {
            return "crash " + e;
        }
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }
}
