package ai.dstack.core;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.files.FileArchive;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.offer.GpuGroup;
import ai.dstack.api.project.Project;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.secret.Secret;
import ai.dstack.api.server.ServerInfo;
import ai.dstack.api.user.PublicKeyInfo;
import ai.dstack.api.user.User;
import ai.dstack.api.user.UserWithCreds;
import ai.dstack.client.ApplyFleetRequest;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.client.DstackClient;
import ai.dstack.client.InstanceQuery;
import ai.dstack.client.ListGpusRequest;
import ai.dstack.client.MemberSetting;
import ai.dstack.client.NewUser;
import ai.dstack.client.ProjectQuery;
import ai.dstack.client.RemoteDstackClient;
import ai.dstack.client.RunPlanRequest;
import ai.dstack.client.RunQuery;
import ai.dstack.client.UserQuery;
import ai.dstack.core.app.Caller;
import ai.dstack.core.app.DstackApp;
import ai.dstack.core.internal.app.Sha256;
import ai.dstack.core.internal.client.EmbeddedSettings;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A {@link DstackClient} over a {@link DstackEngine} in this JVM: each call is one call of the engine's application
 * layer ({@link DstackApp}) for this client's caller, so results, permissions and error codes are those of a
 * {@link RemoteDstackClient} talking to a dstack server over that engine, without HTTP.
 *
 * <pre>{@code
 * try (DstackClient client = EmbeddedDstackClient.start(DstackEngine.builder().serverDirectory(dir))) {
 *     DstackProject main = client.project();
 *     Run run = main.applyRun(main.getRunPlan(spec));
 * }
 * // or, by configuration alone: Dstack.connect(Map.of("dstack.mode", "embedded", "dstack.server-dir", "/srv/dstack"))
 * }</pre>
 *
 * <p>The client acts as one user (the admin unless a token is given): an unknown project is
 * {@link ErrorCode#NOT_FOUND}, a missing role {@link ErrorCode#FORBIDDEN}, and the token is checked on every call,
 * so a refreshed token stops working at once. Errors are plain {@link DstackException}s, since there is no HTTP
 * reply to describe.
 *
 * <p>Safe for concurrent use. {@link #close()} stops the engine when this client built it; calls after that fail
 * with {@link IllegalStateException}.
 */
public final class EmbeddedDstackClient implements DstackClient {
    /** The dstack release whose API the engine implements, as the REST server reports it. */
    public static final String SERVER_VERSION = RemoteDstackClient.DEFAULT_API_VERSION;

    private final DstackEngine engine;
    private final DstackApp app;
    private final boolean ownsEngine;
    private final Supplier<Caller> caller;
    private final String defaultProject;
    private final AtomicBoolean closed = new AtomicBoolean();

    EmbeddedDstackClient(DstackEngine engine, boolean ownsEngine, Supplier<Caller> caller, String defaultProject) {
        this.engine = Objects.requireNonNull(engine, "engine is null");
        this.app = engine.app();
        this.ownsEngine = ownsEngine;
        this.caller = caller;
        this.defaultProject = defaultProject;
    }

    private static Supplier<Caller> byToken(DstackEngine engine, String token) {
        Objects.requireNonNull(token, "token is null");
        DstackApp app = engine.app();
        return () -> app.authenticate(token);
    }

    /** A client acting as the engine's admin, with project {@code main} as default; closing it leaves the engine open. */
    public static EmbeddedDstackClient of(DstackEngine engine) {
        return of(engine, engine.adminToken());
    }

    /** A client acting as the user whose token this is; closing it leaves the engine open. */
    public static EmbeddedDstackClient of(DstackEngine engine, String token) {
        return of(engine, token, engine.defaultProject());
    }

    /**
     * A client acting as the user whose token this is, with {@code defaultProject} (may be null) for
     * {@link #project()}; closing it leaves the engine open.
     */
    public static EmbeddedDstackClient of(DstackEngine engine, String token, String defaultProject) {
        return new EmbeddedDstackClient(engine, false, byToken(engine, token), defaultProject);
    }

    /** Builds an engine, and a client acting as its admin that closes the engine when it is closed. */
    public static EmbeddedDstackClient start(DstackEngine.Builder engine) {
        DstackEngine built = engine.build();
        return new EmbeddedDstackClient(built, true, byToken(built, built.adminToken()), built.defaultProject());
    }

    /**
     * Builds an engine from {@code dstack.*} settings (see {@link EmbeddedClientProvider}) and a client that owns it.
     *
     * @throws DstackException with {@link ErrorCode#INVALID_REQUEST} naming a setting that does not parse
     */
    public static EmbeddedDstackClient fromSettings(Map<String, String> settings) {
        EmbeddedSettings parsed = EmbeddedSettings.from(settings, System::getenv);
        DstackEngine built = parsed.engineBuilder().build();
        try {
            String token = parsed.token() != null ? parsed.token() : built.adminToken();
            String project = parsed.project() != null ? parsed.project() : built.defaultProject();
            return new EmbeddedDstackClient(built, true, byToken(built, token), project);
        } catch (RuntimeException e) {
            built.close();
            throw e;
        }
    }

    /** The engine this client works on. */
    public DstackEngine engine() {
        return engine;
    }

    @Override
    public Optional<String> defaultProjectName() {
        return Optional.ofNullable(defaultProject);
    }

    // ---------------------------------------------------------------- server and users

    @Override
    public ServerInfo serverInfo() {
        checkOpen();
        return app.serverInfo();
    }

    @Override
    public UserWithCreds me() {
        return app.me(caller());
    }

    @Override
    public List<User> listUsers(UserQuery query) {
        Objects.requireNonNull(query, "query is null");
        return app.listUsers(caller(), query, false).users();
    }

    @Override
    public User createUser(NewUser user) {
        Objects.requireNonNull(user, "user is null");
        return app.createUser(caller(), user);
    }

    @Override
    public UserWithCreds refreshToken(String username) {
        Objects.requireNonNull(username, "username is null");
        return app.refreshToken(caller(), username);
    }

    // ---------------------------------------------------------------- projects

    @Override
    public List<Project> listProjects(ProjectQuery query) {
        Objects.requireNonNull(query, "query is null");
        return app.listProjects(caller(), query, false).projects();
    }

    @Override
    public Project getProject(String project) {
        Objects.requireNonNull(project, "project is null");
        return app.getProject(caller(), project);
    }

    @Override
    public Project createProject(String project, boolean isPublic) {
        Objects.requireNonNull(project, "project is null");
        return app.createProject(caller(), project, isPublic);
    }

    @Override
    public void deleteProjects(List<String> projects) {
        app.deleteProjects(caller(), List.copyOf(projects));
    }

    @Override
    public Project addMembers(String project, List<MemberSetting> members) {
        return app.addMembers(caller(), project, List.copyOf(members));
    }

    @Override
    public Project setMembers(String project, List<MemberSetting> members) {
        return app.setMembers(caller(), project, List.copyOf(members));
    }

    @Override
    public Project removeMembers(String project, List<String> usernames) {
        return app.removeMembers(caller(), project, List.copyOf(usernames));
    }

    @Override
    public Project updateProject(String project, Boolean isPublic) {
        Objects.requireNonNull(project, "project is null");
        return app.updateProject(caller(), project, isPublic, null);
    }

    // ---------------------------------------------------------------- the caller's SSH public keys

    @Override
    public List<PublicKeyInfo> listPublicKeys() {
        return app.listPublicKeys(caller());
    }

    @Override
    public PublicKeyInfo addPublicKey(String key, String name) {
        Objects.requireNonNull(key, "key is null");
        return app.addPublicKey(caller(), key, name);
    }

    @Override
    public void deletePublicKeys(List<UUID> ids) {
        app.deletePublicKeys(caller(), List.copyOf(ids));
    }

    // ---------------------------------------------------------------- repos and uploads

    @Override
    public void initRepo(String project, String repoId, RepoInfo info, RemoteRepoCreds creds) {
        Objects.requireNonNull(repoId, "repoId is null");
        Objects.requireNonNull(info, "info is null");
        app.initRepo(caller(), project, repoId, info, creds);
    }

    @Override
    public FileArchive uploadArchive(byte[] tar) {
        Objects.requireNonNull(tar, "tar is null");
        return app.uploadArchive(caller(), Sha256.hex(tar), tar);
    }

    @Override
    public FileArchive getArchiveByHash(String hash) {
        Objects.requireNonNull(hash, "hash is null");
        return app.getArchiveByHash(caller(), hash);
    }

    @Override
    public String uploadCode(String project, String repoId, byte[] code) {
        Objects.requireNonNull(repoId, "repoId is null");
        Objects.requireNonNull(code, "code is null");
        String hash = Sha256.hex(code);
        app.uploadCode(caller(), project, repoId, hash, code);
        return hash;
    }

    // ---------------------------------------------------------------- runs, logs, offers

    @Override
    public List<Run> listRuns(RunQuery query) {
        Objects.requireNonNull(query, "query is null");
        return app.listRuns(caller(), query);
    }

    @Override
    public Run getRun(String project, String runName) {
        Objects.requireNonNull(runName, "runName is null");
        return app.getRun(caller(), project, runName, null);
    }

    @Override
    public Run getRun(String project, UUID runId) {
        Objects.requireNonNull(runId, "runId is null");
        return app.getRun(caller(), project, null, runId);
    }

    @Override
    public RunPlan getRunPlan(String project, RunPlanRequest request) {
        Objects.requireNonNull(request, "request is null");
        return app.getRunPlan(caller(), project, request);
    }

    @Override
    public Run applyRun(String project, ApplyRunRequest request) {
        Objects.requireNonNull(request, "request is null");
        return app.applyRun(caller(), project, request);
    }

    @Override
    public void stopRuns(String project, List<String> runNames, boolean abort) {
        app.stopRuns(caller(), project, List.copyOf(runNames), abort);
    }

    @Override
    public void deleteRuns(String project, List<String> runNames) {
        app.deleteRuns(caller(), project, List.copyOf(runNames));
    }

    @Override
    public ai.dstack.api.metrics.JobMetrics getJobMetrics(String project, String runName, int replicaNum, int jobNum,
            int limit) {
        return app.getJobMetrics(caller(), project, runName, null, replicaNum, jobNum, limit, null, null);
    }

    @Override
    public List<ai.dstack.api.event.Event> listEvents(ai.dstack.api.event.ListEventsRequest request) {
        Objects.requireNonNull(request, "request is null");
        return app.listEvents(caller(), request);
    }

    /** {@code logs/poll}: the same page as the server's, with the message bytes the server would base64-encode. */
    @Override
    public JobSubmissionLogs pollLogs(String project, PollLogsRequest request) {
        Objects.requireNonNull(request, "request is null");
        return app.pollLogs(caller(), project, request);
    }

    @Override
    public List<GpuGroup> listGpus(String project, ListGpusRequest request) {
        Objects.requireNonNull(request, "request is null");
        return app.listGpus(caller(), project, request);
    }

    // ---------------------------------------------------------------- fleets and instances

    /** The project's fleets; {@code includeImported} changes nothing, as no project can export fleets yet. */
    @Override
    public List<Fleet> listFleets(String project, boolean includeImported) {
        return app.listFleets(caller(), project);
    }

    @Override
    public Fleet getFleet(String project, String fleetName) {
        Objects.requireNonNull(fleetName, "fleetName is null");
        return app.getFleet(caller(), project, fleetName, null);
    }

    @Override
    public FleetPlan getFleetPlan(String project, FleetSpec spec) {
        Objects.requireNonNull(spec, "spec is null");
        return app.getFleetPlan(caller(), project, spec);
    }

    @Override
    public Fleet applyFleet(String project, ApplyFleetRequest request) {
        Objects.requireNonNull(request, "request is null");
        return app.applyFleet(caller(), project, request);
    }

    @Override
    public void deleteFleets(String project, List<String> fleetNames) {
        Objects.requireNonNull(fleetNames, "fleetNames is null");
        app.deleteFleets(caller(), project, List.copyOf(fleetNames));
    }

    @Override
    public List<ai.dstack.api.volume.Volume> listVolumes(String project) {
        return app.listVolumes(caller(), project).stream().map(EmbeddedDstackClient::volume).toList();
    }

    @Override
    public ai.dstack.api.volume.Volume getVolume(String project, String name) {
        Objects.requireNonNull(name, "name is null");
        return volume(app.getVolume(caller(), project, name));
    }

    @Override
    public ai.dstack.api.volume.Volume createVolume(String project,
            ai.dstack.api.configuration.VolumeConfiguration configuration) {
        Objects.requireNonNull(configuration, "configuration is null");
        return volume(app.createVolume(caller(), project, ai.dstack.api.yaml.DstackYaml.toJsonTree(configuration)));
    }

    @Override
    public void deleteVolumes(String project, List<String> names) {
        Objects.requireNonNull(names, "names is null");
        app.deleteVolumes(caller(), project, List.copyOf(names));
    }

    private static ai.dstack.api.volume.Volume volume(com.fasterxml.jackson.databind.JsonNode json) {
        try {
            return ai.dstack.api.json.DstackJson.mapper().treeToValue(json, ai.dstack.api.volume.Volume.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("volume JSON cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public List<Instance> listInstances(InstanceQuery query) {
        Objects.requireNonNull(query, "query is null");
        return app.listInstances(caller(), query);
    }

    // ---------------------------------------------------------------- secrets

    @Override
    public List<Secret> listSecrets(String project) {
        return app.listSecrets(caller(), project);
    }

    @Override
    public Secret getSecret(String project, String name) {
        Objects.requireNonNull(name, "name is null");
        return app.getSecret(caller(), project, name);
    }

    @Override
    public Secret setSecret(String project, String name, String value) {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(value, "value is null");
        return app.setSecret(caller(), project, name, value);
    }

    @Override
    public void deleteSecrets(String project, List<String> names) {
        app.deleteSecrets(caller(), project, List.copyOf(names));
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsEngine) {
            engine.close();
        }
    }

    @Override
    public String toString() {
        return "EmbeddedDstackClient[" + (defaultProject == null ? "no default project" : "project " + defaultProject) + "]";
    }

    /** The caller, authenticated again for this call. */
    private Caller caller() {
        checkOpen();
        return caller.get();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("This dstack client is closed");
        }
    }
}
