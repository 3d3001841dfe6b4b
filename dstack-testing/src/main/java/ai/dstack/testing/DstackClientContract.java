package ai.dstack.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.files.FileArchive;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.offer.GpuGroup;
import ai.dstack.api.offer.GpuGrouping;
import ai.dstack.api.project.Member;
import ai.dstack.api.project.Project;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.run.FileArchiveMapping;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.secret.Secret;
import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.api.user.PublicKeyInfo;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import ai.dstack.client.InstanceQuery;
import ai.dstack.client.ListGpusRequest;
import ai.dstack.client.MemberSetting;
import ai.dstack.client.NewUser;
import ai.dstack.client.RunQuery;
import ai.dstack.client.TarWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link DstackClient} does, whatever is behind it: the same calls give the same results and the same
 * error codes, for every kind of caller. Run against the remote client over real HTTP to a {@code DstackServer}
 * and against the embedded engine ({@code DstackEngine} is itself a client acting as the admin), so an application
 * switches between them by configuration alone. The results are dstack's, pinned here, not merely alike.
 */
public abstract class DstackClientContract {
    protected static final String ADMIN_TOKEN = UUID.randomUUID().toString();
    private static final String TASK = "resources: {cpu: 0.., memory: 0GB..}\n";

    @TempDir
    protected Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private DstackClient admin;

    /** Starts what is behind the client (an engine, a server) in {@code directory}; returns a client acting as the admin. */
    protected abstract DstackClient start(Path directory, String adminToken);

    /** A client acting as the user whose token this is, with project {@code main} as default. */
    protected abstract DstackClient as(String token);

    /** Stops what {@link #start} started. */
    protected abstract void stop() throws Exception;

    @BeforeEach
    void startBehind() {
        admin = start(dir.resolve("server"), ADMIN_TOKEN);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        stop();
    }

    private DstackClient user(String token) {
        DstackClient client = as(token);
        opened.add(client);
        return client;
    }

    /** An error as an application branches on it: the code, and the message for dstack's business errors. */
    record Failure(ErrorCode code, String message) {
        static Failure of(Runnable call) {
            DstackException e = catchThrowableOfType(DstackException.class, call::run);
            assertThat(e).as("the call should have failed").isNotNull();
            boolean business = e.code() != ErrorCode.NOT_FOUND && e.code() != ErrorCode.FORBIDDEN;
            // 403 and 404 messages name the server over HTTP; only their code is the contract.
            return new Failure(e.code(), business ? e.getMessage() : null);
        }
    }

    private static TaskConfiguration task(String yaml, String file) {
        return DstackYaml.parse("type: task\n" + TASK + yaml, file, TaskConfiguration.class);
    }

    @Test
    void aRunIsPlannedAppliedFollowedAndListedWithDstacksResults() throws Exception {
        DstackProject main = admin.project();
        RunSpec spec = RunSpec.newBuilder().configuration(task("""
                name: parity
                commands:
                  - echo first line from the task
                  - echo second line
                  - exit 3
                """, "parity.dstack.yml")).configurationPath("parity.dstack.yml").build();

        RunPlan plan = main.getRunPlan(spec);
        Run submitted = main.applyRun(ApplyRunRequest.of(plan));
        List<String> lines = new ArrayList<>();
        Run finished = main.followLogs(submitted.runSpec().runName(), event -> lines.add(event.text().strip()));

        assertThat(admin.serverInfo().serverVersion()).isEqualTo("0.21.2");
        assertThat(admin.me().username()).isEqualTo("admin");
        assertThat(plan.action()).isEqualTo(ApplyAction.CREATE);
        assertThat(plan.user()).isEqualTo("admin");
        assertThat(lines).containsExactly("first line from the task", "second line");
        assertThat(finished.status()).isEqualTo(RunStatus.FAILED);
        assertThat(finished.terminationReason()).isEqualTo("job_failed");
        assertThat(finished.latestJobSubmission().exitStatus()).isEqualTo(3);
        assertThat(admin.listRuns(RunQuery.ofProject("main"))).extracting(r -> r.runSpec().runName()).containsExactly("parity");
        assertThat(main.getRun("parity").status()).isEqualTo(RunStatus.FAILED);
        assertThat(admin.awaitFinished("parity", java.time.Duration.ofSeconds(5)).status()).isEqualTo(RunStatus.FAILED);
        assertThat(admin.pollLogs("main", "parity").text()).isEqualTo("first line from the task\nsecond line\n");
        assertThat(Failure.of(() -> main.getRun("no-such-run"))).isEqualTo(new Failure(ErrorCode.RESOURCE_NOT_EXISTS, "Run not found"));
        assertThat(Failure.of(() -> main.getRun(UUID.randomUUID())).code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS);
        assertThat(Failure.of(() -> admin.getProject("no-such-project")).code()).isEqualTo(ErrorCode.NOT_FOUND);
        Failure fleetDeletion = Failure.of(() -> main.deleteFleets(List.of("local")));
        assertThat(fleetDeletion.code()).isEqualTo(ErrorCode.ERROR);
        assertThat(fleetDeletion.message()).startsWith("Fleet local is the server's own host and cannot be deleted");
    }

    @Test
    void aConfigurationAppliedAsItIsRunsToTheEnd() {
        Run run = admin.applyRun(task("commands: [echo applied as it is]\n", "plain.dstack.yml"));
        Run done = admin.awaitFinished(run.runSpec().runName(), java.time.Duration.ofMinutes(1));
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(admin.pollLogs("main", run.runSpec().runName()).text()).isEqualTo("applied as it is\n");
    }

    @Test
    void volumesNeedABackendThatProvisionsThemAndUnknownOnesAreNotFound() {
        DstackProject main = admin.project();
        assertThat(main.listVolumes()).isEmpty();
        var configuration = ai.dstack.api.yaml.DstackYaml.parse("type: volume\nname: data\nbackend: aws\n"
                + "region: us-east-1\nsize: 10\n", "vol.dstack.yml", ai.dstack.api.configuration.VolumeConfiguration.class);
        assertThatThrownBy(() -> main.createVolume(configuration)).isInstanceOf(DstackException.class)
                .hasMessageContaining("backend: project main has no aws backend");
        assertThatThrownBy(() -> main.getVolume("data")).isInstanceOfSatisfying(DstackException.class,
                e -> assertThat(e.code()).isEqualTo(ai.dstack.api.ErrorCode.RESOURCE_NOT_EXISTS));
        main.deleteVolumes(List.of("data")); // unknown names are skipped, as in dstack
        assertThat(main.listVolumes()).isEmpty();
    }

    @Test
    void secretsAreSetReadListedAndDeleted() {
        DstackProject main = admin.project();
        Secret set = main.setSecret("API_KEY", "s3cret");
        assertThat(List.of(set.name(), set.value())).containsExactly("API_KEY", "s3cret");
        assertThat(main.getSecret("API_KEY").value()).isEqualTo("s3cret");
        assertThat(main.listSecrets()).extracting(Secret::name).containsExactly("API_KEY");
        main.deleteSecrets(List.of("API_KEY"));
        assertThat(main.listSecrets()).isEmpty();
        assertThat(Failure.of(() -> main.getSecret("API_KEY")).code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS);
        Failure badName = Failure.of(() -> main.setSecret("bad name!", "x"));
        assertThat(badName.code()).isEqualTo(ErrorCode.ERROR);
        assertThat(badName.message()).contains("Secret name");
        Project project = main.get();
        assertThat(project.projectName()).isEqualTo("main");
        assertThat(project.members()).extracting(Member::user).extracting(u -> u.username()).containsExactly("admin");
        assertThat(admin.listProjects()).extracting(Project::projectName).containsExactly("main");
    }

    @Test
    void uploadsKeysAndProjectSettings() throws Exception {
        Path local = Files.createDirectories(dir.resolve("local-data"));
        Files.writeString(local.resolve("greeting.txt"), "hello from an uploaded file\n");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "parity key", "-f",
                dir.resolve("key").toString()).redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).isZero();
        String publicKey = Files.readString(dir.resolve("key.pub")).strip();
        DstackProject main = admin.project();

        byte[] tar = new TarWriter().add(local, "data").toByteArray();
        FileArchive archive = admin.uploadArchive(tar);
        assertThat(admin.uploadArchive(tar).id()).isEqualTo(archive.id());
        assertThat(admin.getArchiveByHash(archive.hash())).isEqualTo(archive);
        assertThat(Failure.of(() -> admin.getArchiveByHash("nope")).code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS);
        RunSpec spec = RunSpec.newBuilder().configuration(task("name: with-files\ncommands:\n  - cat inputs/data/greeting.txt\n",
                "files.dstack.yml")).configurationPath("files.dstack.yml")
                .fileArchives(List.of(new FileArchiveMapping(archive.id(), "inputs/data"))).build();
        Run submitted = main.applyRun(main.getRunPlan(spec));
        List<String> lines = new ArrayList<>();
        Run finished = main.followLogs(submitted.runSpec().runName(), event -> lines.add(event.text().strip()));
        assertThat(lines).containsExactly("hello from an uploaded file");
        assertThat(finished.status()).isEqualTo(RunStatus.DONE);
        assertThat(main.uploadCode("none", "code".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("5694d08a2e53ffcae0c3103e5ad6f6076abd960eb1f8a56577040bc1028f702b");
        assertThat(Failure.of(() -> main.uploadCode("zz-none", new byte[] {1})).code()).isEqualTo(ErrorCode.REPO_DOES_NOT_EXIST);

        PublicKeyInfo key = admin.addPublicKey(publicKey, null);
        assertThat(List.of(key.name(), key.type())).containsExactly("parity key", "ssh-ed25519");
        assertThat(admin.listPublicKeys()).extracting(PublicKeyInfo::name).containsExactly("parity key");
        assertThat(Failure.of(() -> admin.addPublicKey(publicKey, "again")).code()).isEqualTo(ErrorCode.RESOURCE_EXISTS);
        admin.deletePublicKeys(List.of(key.id()));
        assertThat(admin.listPublicKeys()).isEmpty();
        assertThat(Failure.of(() -> admin.addPublicKey("ssh-ed25519 AAAA", null)).message())
                .isEqualTo("Invalid public key, must be in OpenSSH public key format");
        assertThat(main.setPublic(true).isPublic()).isTrue();
        assertThat(main.get().isPublic()).isTrue();
    }

    @Test
    void gpusAreListedFromTheOffersAndTheirGroupingIsChecked() {
        RunSpec spec = RunSpec.newBuilder().configuration(task("commands: [nvidia-smi]\n", "gpu.dstack.yml")).build();
        List<GpuGroup> plain = admin.project().listGpus(ListGpusRequest.of(spec));
        List<GpuGroup> byBackend = admin.project().listGpus(ListGpusRequest.of(spec, GpuGrouping.BACKEND));
        assertThat(byBackend).hasSameSizeAs(plain).allSatisfy(g -> {
            assertThat(g.backend()).isNotNull();
            assertThat(g.backends()).isNull();
        });
        plain.forEach(g -> assertThat(g.backends()).isNotEmpty());
        Failure regionOnly = Failure.of(() -> admin.listGpus("main", ListGpusRequest.of(spec, GpuGrouping.REGION)));
        assertThat(regionOnly).isEqualTo(new Failure(ErrorCode.ERROR, "Cannot group by 'region' without also grouping by 'backend'"));
    }

    @Test
    void aRefreshedTokenStopsWorkingAtOnce() {
        admin.createUser(NewUser.of("rotating", GlobalRole.USER));
        String old = admin.refreshToken("rotating").creds().token();
        DstackClient user = user(old);
        assertThat(user.me().username()).isEqualTo("rotating");
        admin.refreshToken("rotating");
        assertThat(Failure.of(user::me).code()).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void anOutsiderSeesWhatTheServerShowsIt() {
        admin.createUser(NewUser.of("outsider", GlobalRole.USER));
        DstackClient user = user(admin.refreshToken("outsider").creds().token());
        assertThat(user.me().username()).isEqualTo("outsider");
        assertThat(user.listProjects()).isEmpty();
        assertThat(Failure.of(() -> user.getRun("main", "anything")).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(Failure.of(() -> user.listSecrets("main")).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(Failure.of(() -> user.createUser(NewUser.of("another", GlobalRole.USER))).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(user.createProject("own", false).projectName()).isEqualTo("own");
        assertThat(user.project("own").listSecrets()).isEmpty();
        assertThat(Failure.of(() -> admin.createProject("own", false)).code()).isEqualTo(ErrorCode.RESOURCE_EXISTS);
    }

    enum Role { GLOBAL_ADMIN, PROJECT_ADMIN, MANAGER, USER, NON_MEMBER, PUBLIC, BAD_TOKEN }

    /**
     * Every kind of caller calls every kind of operation; the outcome is {@code ok} or the error code. PUBLIC is a
     * non-member in a public project. Both kinds of client must give exactly this table.
     */
    @Test
    void everyRoleGetsTheSameCodesFromEveryKindOfCall() throws Exception {
        for (String name : List.of("padmin", "pmanager", "puser", "outsider")) {
            admin.createUser(NewUser.of(name, GlobalRole.USER));
        }
        admin.createProject("proj", false);
        admin.addMembers("proj", List.of(new MemberSetting("padmin", ProjectRole.ADMIN),
                new MemberSetting("pmanager", ProjectRole.MANAGER), new MemberSetting("puser", ProjectRole.USER)));
        admin.createProject("open", true);
        Map<Role, DstackClient> clients = new LinkedHashMap<>();
        clients.put(Role.GLOBAL_ADMIN, admin);
        clients.put(Role.PROJECT_ADMIN, user(admin.refreshToken("padmin").creds().token()));
        clients.put(Role.MANAGER, user(admin.refreshToken("pmanager").creds().token()));
        clients.put(Role.USER, user(admin.refreshToken("puser").creds().token()));
        DstackClient outsider = user(admin.refreshToken("outsider").creds().token());
        clients.put(Role.NON_MEMBER, outsider);
        clients.put(Role.PUBLIC, outsider);
        clients.put(Role.BAD_TOKEN, user("not-a-token"));
        Path data = Files.createDirectories(dir.resolve("matrix-data"));
        Files.writeString(data.resolve("a.txt"), "a\n");
        byte[] tar = new TarWriter().add(data, "data").toByteArray();
        RunSpec spec = RunSpec.newBuilder().configuration(task("commands: [echo hi]\n", "m.dstack.yml")).build();
        RunSpec badName = RunSpec.newBuilder().runName("Bad_Name").configuration(spec.configuration()).build();

        String F = "FORBIDDEN";
        Map<String, Map.Entry<String, Call>> calls = new LinkedHashMap<>();
        calls.put("me", Map.entry("ok ok ok ok ok ok " + F, (c, p, t) -> c.me()));
        calls.put("listUsers", Map.entry("ok ok ok ok ok ok " + F, (c, p, t) -> c.listUsers()));
        calls.put("createUser", Map.entry("ok F F F F F F", (c, p, t) -> c.createUser(NewUser.of("made-" + t, GlobalRole.USER))));
        calls.put("refreshToken", Map.entry("RESOURCE_NOT_EXISTS F F F F F F", (c, p, t) -> c.refreshToken("zz-nobody")));
        calls.put("listProjects", Map.entry("ok ok ok ok ok ok F", (c, p, t) -> c.listProjects()));
        calls.put("getProject", Map.entry("ok ok ok ok F ok F", (c, p, t) -> c.getProject(p)));
        calls.put("getUnknownProject", Map.entry("NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND F",
                (c, p, t) -> c.getProject("zz-none")));
        calls.put("createProject", Map.entry("ok ok ok ok ok ok F", (c, p, t) -> c.createProject("by-" + t, false)));
        calls.put("deleteProjects", Map.entry("ERROR F F F F F F", (c, p, t) -> {
            c.deleteProjects(List.of("zz-none"));
            return null;
        }));
        calls.put("updateProject", Map.entry("ok ok F F F F F", (c, p, t) -> c.updateProject(p, null)));
        calls.put("addMembers", Map.entry("ok ok ok F F F F",
                (c, p, t) -> c.addMembers(p, List.of(new MemberSetting("puser", ProjectRole.USER)))));
        calls.put("removeMembers", Map.entry("ERROR ERROR ERROR F F F F", (c, p, t) -> c.removeMembers(p, List.of("zz-nobody"))));
        calls.put("listRuns", Map.entry("ok ok ok ok ok ok F", (c, p, t) -> c.listRuns(RunQuery.ofProject(p))));
        calls.put("getRun", Map.entry("RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS F F F",
                (c, p, t) -> c.getRun(p, "zz-none")));
        calls.put("getRunPlan", Map.entry("ok ok ok ok F F F", (c, p, t) -> c.getRunPlan(p, spec)));
        calls.put("applyRun", Map.entry("ERROR ERROR ERROR ERROR F F F", (c, p, t) -> c.applyRun(p, ApplyRunRequest.of(badName))));
        calls.put("stopRuns", Map.entry("ok ok ok ok F F F", (c, p, t) -> {
            c.stopRuns(p, List.of("zz-none"), false);
            return null;
        }));
        calls.put("pollLogs", Map.entry("ok ok ok ok F F F",
                (c, p, t) -> c.pollLogs(p, PollLogsRequest.newBuilder("zz-none", UUID.randomUUID()).build())));
        calls.put("listGpus", Map.entry("ok ok ok ok F F F", (c, p, t) -> c.listGpus(p, ListGpusRequest.of(spec))));
        calls.put("listSecrets", Map.entry("ok ok F F F F F", (c, p, t) -> c.listSecrets(p)));
        calls.put("setSecret", Map.entry("ok ok F F F F F", (c, p, t) -> c.setSecret(p, "S1", "v")));
        calls.put("getSecret", Map.entry("RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS F F F F F", (c, p, t) -> c.getSecret(p, "zz")));
        calls.put("initRepo", Map.entry("ok ok ok ok F F F", (c, p, t) -> {
            c.initRepo(p, "r-" + t, new RepoInfo.Virtual(), null);
            return null;
        }));
        calls.put("uploadCode", Map.entry("REPO_DOES_NOT_EXIST REPO_DOES_NOT_EXIST REPO_DOES_NOT_EXIST REPO_DOES_NOT_EXIST F F F",
                (c, p, t) -> c.uploadCode(p, "zz-none", new byte[] {1})));
        calls.put("uploadArchive", Map.entry("ok ok ok ok ok ok F", (c, p, t) -> c.uploadArchive(tar)));
        calls.put("getArchiveByHash", Map.entry("RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS "
                + "RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS F", (c, p, t) -> c.getArchiveByHash("zz")));
        calls.put("listFleets", Map.entry("ok ok ok ok F F F", (c, p, t) -> c.listFleets(p, false)));
        calls.put("getFleet", Map.entry("RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS RESOURCE_NOT_EXISTS F F F",
                (c, p, t) -> c.getFleet(p, "zz")));
        calls.put("listInstances", Map.entry("ok ok ok ok ok ok F", (c, p, t) -> c.listInstances(InstanceQuery.all())));
        calls.put("listPublicKeys", Map.entry("ok ok ok ok ok ok F", (c, p, t) -> c.listPublicKeys()));
        calls.put("addPublicKey", Map.entry("ERROR ERROR ERROR ERROR ERROR ERROR F", (c, p, t) -> c.addPublicKey("not a key", null)));

        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Map.Entry<String, Call>> call : calls.entrySet()) {
            List<String> got = new ArrayList<>();
            for (Role role : Role.values()) {
                String project = role == Role.PUBLIC ? "open" : "proj";
                String tag = call.getKey().toLowerCase(Locale.ROOT) + "-" + role.name().toLowerCase(Locale.ROOT).replace('_', '-');
                got.add(outcome(() -> call.getValue().getValue().call(clients.get(role), project, tag)));
            }
            String expected = String.join(" ", List.of(call.getValue().getKey().split(" ")).stream()
                    .map(s -> s.equals("F") ? F : s).toList());
            if (!String.join(" ", got).equals(expected)) {
                wrong.add(call.getKey() + ": expected " + expected + "\n" + " ".repeat(call.getKey().length()) + "       got "
                        + String.join(" ", got));
            }
        }
        assertThat(wrong).as("calls whose outcomes differ (roles %s)", List.of(Role.values())).isEmpty();
    }

    @FunctionalInterface
    interface Call {
        Object call(DstackClient client, String project, String tag) throws Exception;
    }

    private static String outcome(Call0 call) {
        try {
            call.run();
            return "ok";
        } catch (DstackException e) {
            return e.code().name();
        } catch (Exception e) {
            return "crash:" + e;
        }
    }

    @FunctionalInterface
    interface Call0 {
        void run() throws Exception;
    }
}
