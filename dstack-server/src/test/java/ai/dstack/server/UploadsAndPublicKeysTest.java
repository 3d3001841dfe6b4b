package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multipart uploads (repo code, file archives) reaching a real job's working directory, users' SSH public keys
 * checked against {@code ssh-keygen}, and {@code projects/update}; real HTTP, real processes, archives made by
 * {@code tar}.
 */
class UploadsAndPublicKeysTest {
    private static final String P = "/api/project/main/";

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static String token;

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
        token = api.adminToken;
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static ApiServer.Reply upload(String path, String filename, byte[] content) {
        RequestBody body = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", filename, RequestBody.create(content, MediaType.get("application/octet-stream")))
                .build();
        return api.call(path, token, body, Map.of());
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** {@code tar -cf - -C parent name}: the archive dstack's CLI makes of {@code parent/name}. */
    private static byte[] tar(Path parent, String name) throws Exception {
        Process process = new ProcessBuilder("tar", "-cf", "-", "-C", parent.toString(), name).start();
        byte[] archive = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        return archive;
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void fileArchivesAreKeptOncePerHashAndFoundByHash() throws Exception {
        byte[] content = "not even a tar".getBytes(StandardCharsets.UTF_8);
        String hash = sha256(content);
        ApiServer.Reply first = upload("/api/files/upload_archive", hash, content);
        assertThat(first.status()).as("%s", first).isEqualTo(200);
        assertThat(first.body().path("hash").asText()).isEqualTo(hash);
        ApiServer.Reply again = upload("/api/files/upload_archive", hash, content);
        assertThat(again.body().path("id")).isEqualTo(first.body().path("id"));

        ApiServer.Reply found = api.post("/api/files/get_archive_by_hash", token, "{\"hash\":\"" + hash + "\"}");
        assertThat(found.body()).isEqualTo(first.body());
        ApiServer.Reply missing = api.post("/api/files/get_archive_by_hash", token, "{\"hash\":\"nope\"}");
        assertThat(missing.body().toString())
                .isEqualTo("{\"detail\":[{\"msg\":\"Resource not found\",\"code\":\"resource_not_exists\"}]}");
    }

    @Test
    void uploadsOverTheLimitOrWithoutAFileAreRefusedAsDstackDoes() {
        byte[] big = new byte[2 * 1024 * 1024 + 1024];
        ApiServer.Reply tooBig = upload("/api/files/upload_archive", "h", big);
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.body().path("detail").get(0).path("msg").asText())
                .matches("Archive size is \\d+B, which exceeds the limit of 2097152B\\. Use .gitignore/.dstackignore to exclude"
                        + " large files\\. This limit can be modified by setting the DSTACK_SERVER_CODE_UPLOAD_LIMIT"
                        + " environment variable\\.");

        ApiServer.Reply noFile = api.call("/api/files/upload_archive", token, new MultipartBody.Builder()
                .setType(MultipartBody.FORM).addFormDataPart("other", "x").build(), Map.of());
        assertThat(noFile.status()).isEqualTo(422);
        assertThat(noFile.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"file\"]");

        ApiServer.Reply noRepo = upload(P + "repos/upload_code?repo_id=zz-none", "h", new byte[] {1});
        assertThat(noRepo.body().toString())
                .isEqualTo("{\"detail\":[{\"msg\":\"Repo zz-none does not exist\",\"code\":\"repo_does_not_exist\"}]}");
        ApiServer.Reply noRepoId = upload(P + "repos/upload_code", "h", new byte[] {1});
        assertThat(noRepoId.status()).isEqualTo(422);
        assertThat(noRepoId.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"query\",\"repo_id\"]");
    }

    @Test
    void aJobFindsItsRepoCodeAndFilesInItsWorkingDirectory() throws Exception {
        Path local = Files.createDirectories(dir.resolve("local"));
        Path code = Files.createDirectories(local.resolve("code"));
        Files.writeString(code.resolve("train.py"), "print('code')\n");
        Path data = Files.createDirectories(local.resolve("dataset"));
        Files.writeString(Files.createDirectories(data.resolve("sub")).resolve("rows.csv"), "a,b\n1,2\n");
        byte[] codeTar = tar(code, ".");
        byte[] dataTar = tar(local, "dataset");

        assertThat(api.post(P + "repos/init", token,
                "{\"repo_id\":\"none\",\"repo_info\":{\"repo_type\":\"virtual\"},\"repo_creds\":null}").status()).isEqualTo(200);
        String codeHash = sha256(codeTar);
        ApiServer.Reply uploaded = upload(P + "repos/upload_code?repo_id=none", codeHash, codeTar);
        assertThat(uploaded.status()).as("%s", uploaded).isEqualTo(200);
        assertThat(uploaded.body().isNull()).isTrue();
        JsonNode archive = upload("/api/files/upload_archive", sha256(dataTar), dataTar).body();

        ObjectNode spec = ApiServer.json("{\"run_name\":\"with-files\",\"repo_id\":\"none\",\"repo_data\":{\"repo_type\":\"virtual\"},"
                + "\"repo_code_hash\":\"" + codeHash + "\",\"file_archives\":[{\"id\":\"" + archive.path("id").asText()
                + "\",\"path\":\"inputs/data\"}],\"configuration\":{\"type\":\"task\",\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"},"
                + "\"commands\":[\"cat train.py inputs/data/sub/rows.csv\"]}}");
        ObjectNode request = ApiServer.object();
        request.putObject("plan").set("run_spec", spec);
        request.put("force", false);
        ApiServer.Reply applied = api.post(P + "runs/apply", token, request);
        assertThat(applied.status()).as("%s", applied).isEqualTo(200);

        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> List.of("done", "failed", "terminated")
                .contains((run[0] = api.post(P + "runs/get", token, "{\"run_name\":\"with-files\"}").body()).path("status").asText()));
        JsonNode submissions = run[0].path("jobs").path(0).path("job_submissions");
        String submission = submissions.get(submissions.size() - 1).path("id").asText();
        JsonNode logs = api.post(P + "logs/poll", token, "{\"run_name\":\"with-files\",\"job_submission_id\":\"" + submission
                + "\",\"limit\":100}").body();
        List<String> lines = new ArrayList<>();
        logs.path("logs").forEach(e -> lines.add(new String(Base64.getDecoder().decode(e.path("message").asText()),
                StandardCharsets.UTF_8).strip()));
        assertThat(run[0].path("status").asText()).as("%s %s", run[0].path("jobs").path(0), lines).isEqualTo("done");
        assertThat(lines).containsExactly("print('code')", "a,b", "1,2");
    }

    @Test
    void aFilesPathOutsideTheWorkingDirectoryFailsTheJobWithAMessage() throws Exception {
        Path local = Files.createDirectories(dir.resolve("abs"));
        Files.writeString(local.resolve("f.txt"), "x");
        byte[] tar = tar(local, "f.txt");
        JsonNode archive = upload("/api/files/upload_archive", sha256(tar), tar).body();
        ObjectNode spec = ApiServer.json("{\"run_name\":\"abs-files\",\"file_archives\":[{\"id\":\"" + archive.path("id").asText()
                + "\",\"path\":\"/etc/f.txt\"}],\"configuration\":{\"type\":\"task\",\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"},"
                + "\"commands\":[\"true\"]}}");
        ObjectNode request = ApiServer.object();
        request.putObject("plan").set("run_spec", spec);
        request.put("force", false);
        assertThat(api.post(P + "runs/apply", token, request).status()).isEqualTo(200);
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> List.of("done", "failed", "terminated")
                .contains((run[0] = api.post(P + "runs/get", token, "{\"run_name\":\"abs-files\"}").body()).path("status").asText()));
        assertThat(run[0].path("status").asText()).isEqualTo("failed");
        JsonNode submission = run[0].path("jobs").path(0).path("job_submissions").path(0);
        assertThat(submission.path("termination_reason_message").asText()).contains("files: '/etc/f.txt'");
    }

    @Test
    void publicKeysAreTheCallersOwnWithOpenSshFingerprints() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "laptop key", "-f", keys.resolve("ed").toString());
        run("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "", "-f", keys.resolve("rsa").toString());
        String ed = Files.readString(keys.resolve("ed.pub")).strip();
        String rsa = Files.readString(keys.resolve("rsa.pub")).strip();
        String edFingerprint = run("ssh-keygen", "-l", "-E", "sha256", "-f", keys.resolve("ed.pub").toString()).split(" ")[1];

        ApiServer.Reply added = api.post("/api/users/public_keys/add", token, ApiServer.object().put("key", ed));
        assertThat(added.status()).as("%s", added).isEqualTo(200);
        assertThat(added.body().path("name").asText()).isEqualTo("laptop key");
        assertThat(added.body().path("type").asText()).isEqualTo("ssh-ed25519");
        assertThat(added.body().path("fingerprint").asText()).isEqualTo(edFingerprint);
        assertThat(added.body().path("added_at").asText()).endsWith("Z");
        ApiServer.Reply named = api.post("/api/users/public_keys/add", token, ApiServer.object().put("key", rsa).put("name", "ci"));
        assertThat(named.body().path("name").asText()).isEqualTo("ci");
        assertThat(api.post("/api/users/public_keys/add", token, ApiServer.object().put("key", ed)).body().toString())
                .isEqualTo("{\"detail\":[{\"msg\":\"Resource exists\",\"code\":\"resource_exists\"}]}");

        JsonNode listed = api.post("/api/users/public_keys/list", token, (String) null).body();
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).path("name").asText()).isEqualTo("ci");

        String other = api.post("/api/users/create", token, "{\"username\":\"keyless\",\"global_role\":\"user\"}").status() == 200
                ? api.post("/api/users/get_user", token, "{\"username\":\"keyless\"}").body().path("creds").path("token").asText() : null;
        assertThat(api.post("/api/users/public_keys/list", other, (String) null).body()).isEmpty();
        // Another user's delete of my key ids does nothing.
        api.post("/api/users/public_keys/delete", other, "{\"ids\":[\"" + added.body().path("id").asText() + "\"]}");
        assertThat(api.post("/api/users/public_keys/list", token, (String) null).body()).hasSize(2);
        api.post("/api/users/public_keys/delete", token, "{\"ids\":[\"" + added.body().path("id").asText() + "\"]}");
        assertThat(api.post("/api/users/public_keys/list", token, (String) null).body()).hasSize(1);

        String dss = "ssh-dss " + Base64.getEncoder().encodeToString(wire("ssh-dss", new byte[] {1}, new byte[] {2},
                new byte[] {3}, new byte[] {4}));
        assertThat(api.post("/api/users/public_keys/add", token, ApiServer.object().put("key", dss)).body().path("detail")
                .get(0).path("msg").asText()).isEqualTo("Unsupported key type: ssh-dss");
        for (String bad : List.of("ssh-ed25519", "ssh-ed25519 !!!", "ssh-rsa " + ed.split(" ")[1], "hello world")) {
            assertThat(api.post("/api/users/public_keys/add", token, ApiServer.object().put("key", bad)).body().path("detail")
                    .get(0).path("msg").asText()).as(bad).isEqualTo("Invalid public key, must be in OpenSSH public key format");
        }
    }

    private static byte[] wire(String type, byte[]... fields) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream data = new java.io.DataOutputStream(out);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        data.writeInt(name.length);
        data.write(name);
        for (byte[] field : fields) {
            data.writeInt(field.length);
            data.write(field);
        }
        return out.toByteArray();
    }

    @Test
    void projectsUpdateMakesAProjectPublicForEveryone() {
        api.post("/api/projects/create", token, "{\"project_name\":\"opened\"}");
        api.post("/api/users/create", token, "{\"username\":\"visitor\",\"global_role\":\"user\"}");
        String visitor = api.post("/api/users/get_user", token, "{\"username\":\"visitor\"}").body().path("creds").path("token").asText();
        assertThat(api.post("/api/projects/opened/get", visitor, (String) null).status()).isEqualTo(403);

        ApiServer.Reply updated = api.post("/api/projects/opened/update", token, "{\"is_public\":true}");
        assertThat(updated.status()).as("%s", updated).isEqualTo(200);
        assertThat(updated.body().path("is_public").asBoolean()).isTrue();
        assertThat(Shapes.PROJECT.check(updated.body())).isEmpty();
        assertThat(api.post("/api/projects/opened/get", visitor, (String) null).status()).isEqualTo(200);
        assertThat(api.post("/api/projects/opened/update", token, "{\"templates_repo\":\"https://x/t.git\"}").body()
                .path("detail").get(0).path("msg").asText()).isEqualTo("templates_repo is not supported by this server");
        // Other fields untouched when is_public is absent.
        assertThat(api.post("/api/projects/opened/update", token, "{}").body().path("is_public").asBoolean()).isTrue();

        JsonNode noFleets = api.post("/api/projects/list_only_no_fleets", token, (String) null).body();
        List<String> names = new ArrayList<>();
        noFleets.forEach(p -> names.add(p.path("project_name").asText()));
        assertThat(names).contains("opened").doesNotContain("main"); // main has the local fleet
    }

    @Test
    void gpusListGroupsTheOffersGpusAndChecksTheGrouping() {
        String spec = "{\"run_spec\":{\"configuration\":{\"type\":\"task\",\"commands\":[\":\"],"
                + "\"resources\":{\"cpu\":\"1..\",\"memory\":\"0GB..\"}}}";
        ApiServer.Reply plain = api.post(P + "gpus/list", token, spec + "}");
        assertThat(plain.status()).as("%s", plain).isEqualTo(200);
        // The test host's offer has no GPUs (or its own): either way every group has dstack's required fields.
        plain.body().path("gpus").forEach(group -> assertThat(group.has("name") && group.has("memory_mib")
                && group.has("vendor") && group.has("availability") && group.has("spot") && group.has("count")
                && group.has("price") && group.has("backends") && !group.has("backend")).isTrue());
        ApiServer.Reply regionOnly = api.post(P + "gpus/list", token, spec + ",\"group_by\":[\"region\"]}");
        assertThat(regionOnly.body().toString()).isEqualTo("{\"detail\":[{\"msg\":\"Cannot group by 'region' without"
                + " also grouping by 'backend'\",\"code\":\"error\"}]}");
        ApiServer.Reply unknown = api.post(P + "gpus/list", token, spec + ",\"group_by\":[\"gpu\"]}");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"group_by\",0]");
    }
}
