package ai.dstack.engine;

import ai.dstack.api.files.FileArchive;
import ai.dstack.api.internal.tar.TarWriter;
import ai.dstack.api.run.FileArchiveMapping;
import ai.dstack.api.user.PublicKeyInfo;
import java.nio.file.Files;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.project.Member;
import ai.dstack.api.project.Project;
import ai.dstack.api.ApplyAction;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.secret.Secret;
import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import ai.dstack.client.NewUser;
import ai.dstack.client.RunQuery;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.EmbeddedDstackClient;
import ai.dstack.server.DstackServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One application scenario through {@link Dstack#connect(Map)} twice: {@code dstack.mode=embedded} (an engine in this
 * JVM) and {@code dstack.mode=remote} (a real REST server on a loopback port over another engine). Both must give the
 * same observable results and error codes, so that an application switches between them by configuration alone.
 */
class ClientModesTest {
    private static final String ADMIN_TOKEN = UUID.randomUUID().toString();

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private DstackClient embedded(String token) {
        Map<String, String> settings = new HashMap<>(Map.of(
                Dstack.MODE, "embedded",
                "dstack.server-dir", dir.resolve("embedded").toString(),
                "dstack.local-blocks", "8",
                "dstack.admin-token", ADMIN_TOKEN,
                Dstack.PROJECT, "main"));
        if (token != null) {
            settings.put(Dstack.TOKEN, token);
        }
        return open(Dstack.connect(settings));
    }

    private DstackServer server() {
        DstackServer server = DstackServer.builder()
                .engine(DstackEngine.builder().serverDirectory(dir.resolve("remote")).localBlocks(8).adminToken(ADMIN_TOKEN))
                .port(0).build().start();
        opened.add(server);
        return server;
    }

    private DstackClient remote(DstackServer server, String token) {
        return open(Dstack.connect(Map.of(
                Dstack.MODE, "remote",
                Dstack.URL, server.url(),
                Dstack.TOKEN, token,
                Dstack.PROJECT, "main")));
    }

    private DstackClient open(DstackClient client) {
        opened.add(client);
        return client;
    }

    /** What an application sees of one scenario; equal for both modes. */
    record Observed(
            String serverVersion,
            String me,
            ApplyAction planAction,
            String plannedUser,
            List<String> followedLines,
            RunStatus finishedStatus,
            String terminationReason,
            Integer exitStatus,
            List<String> listedRuns,
            RunStatus fetchedStatus,
            List<String> secretAsSet,
            String secretValue,
            List<String> secretNames,
            List<String> secretsAfterDelete,
            Failure missingSecret,
            List<String> projects,
            String projectName,
            List<String> projectMembers,
            Failure unknownRun,
            Failure unknownRunById,
            Failure unknownProject,
            Failure fleetDeletion,
            Failure badSecretName) {}

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

    private static Observed scenario(DstackClient client) throws InterruptedException {
        DstackProject main = client.project();
        TaskConfiguration task = DstackYaml.parse("""
                type: task
                name: parity
                resources: {cpu: 0.., memory: 0GB..}
                commands:
                  - echo first line from the task
                  - echo second line
                  - exit 3
                """, "parity.dstack.yml", TaskConfiguration.class);
        RunSpec spec = RunSpec.newBuilder().configuration(task).configurationPath("parity.dstack.yml").build();

        RunPlan plan = main.getRunPlan(spec);
        Run submitted = main.applyRun(ApplyRunRequest.of(plan));
        List<String> lines = new ArrayList<>();
        Run finished = main.followLogs(submitted.runSpec().runName(),
                event -> lines.add(new String(event.messageBytes(), StandardCharsets.UTF_8).strip()));

        Secret set = main.setSecret("API_KEY", "s3cret");
        String value = main.getSecret("API_KEY").value();
        List<String> names = main.listSecrets().stream().map(Secret::name).toList();
        main.deleteSecrets(List.of("API_KEY"));
        List<String> afterDelete = main.listSecrets().stream().map(Secret::name).toList();

        Project project = main.get();
        return new Observed(
                client.serverInfo().serverVersion(),
                client.me().username(),
                plan.action(),
                plan.user(),
                lines,
                finished.status(),
                finished.terminationReason(),
                finished.latestJobSubmission().exitStatus(),
                client.listRuns(RunQuery.ofProject("main")).stream().map(r -> r.runSpec().runName()).toList(),
                main.getRun("parity").status(),
                List.of(set.name(), set.value()),
                value,
                names,
                afterDelete,
                Failure.of(() -> main.getSecret("API_KEY")),
                client.listProjects().stream().map(Project::projectName).toList(),
                project.projectName(),
                project.members().stream().map(Member::user).map(u -> u.username()).toList(),
                Failure.of(() -> main.getRun("no-such-run")),
                Failure.of(() -> main.getRun(UUID.randomUUID())),
                Failure.of(() -> client.getProject("no-such-project")),
                Failure.of(() -> main.deleteFleets(List.of("local"))),
                Failure.of(() -> main.setSecret("bad name!", "x")));
    }

    @Test
    void theSameScenarioGivesTheSameResultsEmbeddedAndRemote() throws Exception {
        Observed embedded = scenario(embedded(null));
        Observed remote = scenario(remote(server(), ADMIN_TOKEN));

        assertThat(embedded).isEqualTo(remote);
        // And both are what dstack gives, not merely alike.
        assertThat(embedded.me()).isEqualTo("admin");
        assertThat(embedded.planAction()).isEqualTo(ApplyAction.CREATE);
        assertThat(embedded.followedLines()).containsExactly("first line from the task", "second line");
        assertThat(embedded.finishedStatus()).isEqualTo(RunStatus.FAILED);
        assertThat(embedded.terminationReason()).isEqualTo("job_failed");
        assertThat(embedded.exitStatus()).isEqualTo(3);
        assertThat(embedded.listedRuns()).containsExactly("parity");
        assertThat(embedded.secretAsSet()).containsExactly("API_KEY", "s3cret");
        assertThat(embedded.secretValue()).isEqualTo("s3cret");
        assertThat(embedded.secretNames()).containsExactly("API_KEY");
        assertThat(embedded.secretsAfterDelete()).isEmpty();
        assertThat(embedded.missingSecret().code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS);
        assertThat(embedded.projects()).containsExactly("main");
        assertThat(embedded.projectMembers()).containsExactly("admin");
        assertThat(embedded.unknownRun()).isEqualTo(new Failure(ErrorCode.RESOURCE_NOT_EXISTS, "Run not found"));
        assertThat(embedded.unknownRunById().code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS);
        assertThat(embedded.unknownProject().code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(embedded.fleetDeletion().code()).isEqualTo(ErrorCode.ERROR);
        assertThat(embedded.fleetDeletion().message())
                .startsWith("Fleet local is the server's own host and cannot be deleted");
        assertThat(embedded.badSecretName().code()).isEqualTo(ErrorCode.ERROR);
        assertThat(embedded.badSecretName().message()).contains("Secret name");
    }

    /** What a user who is not a member of {@code main} sees; the admin creates it first. */
    private static List<Object> outsider(DstackClient admin, Function<String, DstackClient> asUser) {
        admin.createUser(NewUser.of("outsider", GlobalRole.USER));
        DstackClient user = asUser.apply(admin.refreshToken("outsider").creds().token());
        return List.of(
                user.me().username(),
                user.listProjects().stream().map(Project::projectName).toList(),
                Failure.of(() -> user.getRun("main", "anything")),
                Failure.of(() -> user.listSecrets("main")),
                Failure.of(() -> user.createUser(NewUser.of("another", GlobalRole.USER))),
                user.createProject("own", false).projectName(),
                user.project("own").listSecrets(),
                Failure.of(() -> admin.createProject("own", false)));
    }

    /** Uploads, a run that unpacks one, the caller's SSH keys and project settings, as an application sees them. */
    private static List<Object> uploadsAndKeys(DstackClient client, Path local, String publicKey) throws Exception {
        DstackProject main = client.project();
        byte[] tar = new TarWriter().add(local, "data").toByteArray();
        FileArchive archive = client.uploadArchive(tar);
        boolean sameArchiveAgain = client.uploadArchive(tar).id().equals(archive.id());
        boolean foundByHash = client.getArchiveByHash(archive.hash()).equals(archive);
        TaskConfiguration task = DstackYaml.parse("""
                type: task
                name: with-files
                resources: {cpu: 0.., memory: 0GB..}
                commands:
                  - cat inputs/data/greeting.txt
                """, "files.dstack.yml", TaskConfiguration.class);
        RunSpec spec = RunSpec.newBuilder().configuration(task).configurationPath("files.dstack.yml")
                .fileArchives(List.of(new FileArchiveMapping(archive.id(), "inputs/data"))).build();
        Run submitted = main.applyRun(main.getRunPlan(spec));
        List<String> lines = new ArrayList<>();
        Run finished = main.followLogs(submitted.runSpec().runName(),
                event -> lines.add(new String(event.messageBytes(), StandardCharsets.UTF_8).strip()));
        String codeHash = main.uploadCode("none", "code".getBytes(StandardCharsets.UTF_8));

        PublicKeyInfo key = client.addPublicKey(publicKey, null);
        List<String> keyNames = client.listPublicKeys().stream().map(PublicKeyInfo::name).toList();
        Failure duplicateKey = Failure.of(() -> client.addPublicKey(publicKey, "again"));
        client.deletePublicKeys(List.of(key.id()));
        return List.of(archive.hash(), sameArchiveAgain, foundByHash, Failure.of(() -> client.getArchiveByHash("nope")),
                lines, finished.status(), codeHash, Failure.of(() -> main.uploadCode("zz-none", new byte[] {1})),
                key.name(), key.type(), key.fingerprint(), keyNames, duplicateKey, client.listPublicKeys(),
                Failure.of(() -> client.addPublicKey("ssh-ed25519 AAAA", null)),
                main.setPublic(true).isPublic(), main.get().isPublic());
    }

    @Test
    void uploadsKeysAndProjectSettingsAreTheSameEmbeddedAndRemote() throws Exception {
        Path local = Files.createDirectories(dir.resolve("local-data"));
        Files.writeString(local.resolve("greeting.txt"), "hello from an uploaded file\n");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "parity key", "-f",
                dir.resolve("key").toString()).redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).isZero();
        String publicKey = Files.readString(dir.resolve("key.pub")).strip();

        List<Object> embedded = uploadsAndKeys(embedded(null), local, publicKey);
        List<Object> remote = uploadsAndKeys(remote(server(), ADMIN_TOKEN), local, publicKey);

        assertThat(embedded).isEqualTo(remote);
        assertThat(embedded.get(1)).isEqualTo(true);
        assertThat(embedded.get(2)).isEqualTo(true);
        assertThat(((Failure) embedded.get(3)).code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS);
        assertThat(embedded.get(4)).isEqualTo(List.of("hello from an uploaded file"));
        assertThat(embedded.get(5)).isEqualTo(RunStatus.DONE);
        assertThat(((Failure) embedded.get(7)).code()).isEqualTo(ErrorCode.REPO_DOES_NOT_EXIST);
        assertThat(embedded.get(8)).isEqualTo("parity key");
        assertThat(embedded.get(9)).isEqualTo("ssh-ed25519");
        assertThat(embedded.get(11)).isEqualTo(List.of("parity key"));
        assertThat(((Failure) embedded.get(12)).code()).isEqualTo(ErrorCode.RESOURCE_EXISTS);
        assertThat(embedded.get(13)).isEqualTo(List.of());
        assertThat(((Failure) embedded.get(14)).message()).isEqualTo("Invalid public key, must be in OpenSSH public key format");
        assertThat(embedded.subList(15, 17)).containsExactly(true, true);
    }

    @Test
    void anotherUsersPermissionsAreTheServersInBothModes() {
        DstackClient embeddedAdmin = embedded(null);
        EmbeddedDstackClient embeddedClient = (EmbeddedDstackClient) embeddedAdmin;
        List<Object> embedded = outsider(embeddedAdmin,
                token -> open(EmbeddedDstackClient.of(embeddedClient.engine(), token)));
        DstackServer server = server();
        List<Object> remote = outsider(remote(server, ADMIN_TOKEN), token -> remote(server, token));

        assertThat(embedded).isEqualTo(remote);
        assertThat(embedded.get(0)).isEqualTo("outsider");
        assertThat(embedded.get(1)).isEqualTo(List.of());
        assertThat(((Failure) embedded.get(2)).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(((Failure) embedded.get(3)).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(((Failure) embedded.get(4)).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(((Failure) embedded.get(7)).code()).isEqualTo(ErrorCode.RESOURCE_EXISTS);
    }

    @Test
    void aRefreshedTokenStopsWorkingAtOnceInBothModes() {
        DstackClient embeddedAdmin = embedded(null);
        DstackServer server = server();
        DstackClient remoteAdmin = remote(server, ADMIN_TOKEN);
        for (DstackClient admin : List.of(embeddedAdmin, remoteAdmin)) {
            admin.createUser(NewUser.of("rotating", GlobalRole.USER));
            String old = admin.refreshToken("rotating").creds().token();
            DstackClient user = admin == embeddedAdmin
                    ? open(EmbeddedDstackClient.of(((EmbeddedDstackClient) admin).engine(), old))
                    : remote(server, old);
            assertThat(user.me().username()).isEqualTo("rotating");
            admin.refreshToken("rotating");
            assertThat(Failure.of(user::me).code()).as("%s", admin).isEqualTo(ErrorCode.FORBIDDEN);
        }
    }

    @Test
    void closingAnEmbeddedClientClosesItsEngineAndTheStateStays() throws Exception {
        DstackClient first = embedded(null);
        first.setSecret("main", "KEPT", "value");
        first.close();
        assertThatThrownBy(() -> first.listSecrets("main")).isInstanceOf(IllegalStateException.class);

        DstackClient second = embedded(null);
        assertThat(second.getSecret("main", "KEPT").value()).isEqualTo("value");
        assertThat(Dstack.availableModes()).contains("embedded", "remote");
    }

    @Test
    void anEmbeddedSettingThatDoesNotParseIsRefusedByName() {
        DstackException e = catchThrowableOfType(DstackException.class, () -> Dstack.connect(Map.of(
                Dstack.MODE, "embedded", "dstack.server-dir", dir.resolve("bad").toString(), "dstack.local-blocks", "zero")));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("dstack.local-blocks").contains("'zero'");

        DstackException fleet = catchThrowableOfType(DstackException.class, () -> Dstack.connect(Map.of(
                Dstack.MODE, "embedded", "dstack.server-dir", dir.resolve("bad").toString(), "dstack.local-fleet", "maybe")));
        assertThat(fleet.getMessage()).contains("dstack.local-fleet").contains("'maybe'");
    }
}
