package ai.dstack.core;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.files.FileArchive;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.logs.LogEventSource;
import ai.dstack.api.logs.PollLogsRequest;
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
import ai.dstack.client.MemberSetting;
import ai.dstack.client.NewUser;
import ai.dstack.client.ProjectQuery;
import ai.dstack.client.RemoteDstackClient;
import ai.dstack.client.RunPlanRequest;
import ai.dstack.client.RunQuery;
import ai.dstack.client.UserQuery;
import ai.dstack.client.internal.Hashes;
import ai.dstack.core.internal.client.CallerAccess.Scope;
import ai.dstack.core.internal.client.CallerAccess;
import ai.dstack.core.internal.client.EmbeddedSettings;
import ai.dstack.core.internal.client.Need;
import ai.dstack.core.internal.client.RemoteErrors;
import ai.dstack.core.internal.operations.Projects;
import ai.dstack.core.internal.operations.Users;
import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.UserRow;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A {@link DstackClient} over a {@link DstackEngine} in this JVM: the same calls, results and error codes as a
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
 * <p>The client acts as one user (the admin unless a token is given) and applies the server's permission rules
 * to it: an unknown project is {@link ErrorCode#NOT_FOUND}, a missing role {@link ErrorCode#FORBIDDEN}, and the
 * token is checked on every call, so a refreshed token stops working at once. Engine errors keep the code the
 * server would send (its own validation errors become {@link ErrorCode#ERROR}, as the server sends them); errors
 * are plain {@link DstackException}s, since there is no HTTP reply to describe. Fleets are SSH fleets (with
 * dstack-backend-ssh on the class path) and the built-in fleet {@code local}.
 *
 * <p>Safe for concurrent use. {@link #close()} stops the engine when this client built it; calls after that fail
 * with {@link IllegalStateException}.
 */
public final class EmbeddedDstackClient implements DstackClient {
    /** The dstack release whose API the engine implements, as the REST server reports it. */
    public static final String SERVER_VERSION = RemoteDstackClient.DEFAULT_API_VERSION;

    /** The server's rule for {@code name_pattern} in users and projects listings. */
    private static final Pattern NAME_PATTERN = Pattern.compile("^[a-zA-Z0-9-_]*$");
    private static final int MAX_LISTED = 2000;
    private static final int MAX_JOB_SUBMISSIONS = 10;

    private final DstackEngine engine;
    private final Engine internal;
    private final boolean ownsEngine;
    private final CallerAccess access;
    private final String defaultProject;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedDstackClient(DstackEngine engine, boolean ownsEngine, String token, String defaultProject) {
        this.engine = Objects.requireNonNull(engine, "engine is null");
        this.internal = engine.internal();
        this.ownsEngine = ownsEngine;
        this.access = new CallerAccess(internal, Objects.requireNonNull(token, "token is null"));
        this.defaultProject = defaultProject;
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
        return new EmbeddedDstackClient(engine, false, token, defaultProject);
    }

    /** Builds an engine, and a client acting as its admin that closes the engine when it is closed. */
    public static EmbeddedDstackClient start(DstackEngine.Builder engine) {
        DstackEngine built = engine.build();
        return new EmbeddedDstackClient(built, true, built.adminToken(), built.defaultProject());
    }

    /**
     * Builds an engine from {@code dstack.*} settings (see {@link EmbeddedClientProvider}) and a client that owns it.
     *
     * @throws DstackException with {@link ErrorCode#INVALID_REQUEST} naming a setting that does not parse
     */
    public static EmbeddedDstackClient fromSettings(Map<String, String> settings) {
        EmbeddedSettings parsed = EmbeddedSettings.from(settings);
        DstackEngine built = parsed.engineBuilder().build();
        try {
            String token = parsed.token() != null ? parsed.token() : built.adminToken();
            String project = parsed.project() != null ? parsed.project() : built.defaultProject();
            return new EmbeddedDstackClient(built, true, token, project);
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
        return call(() -> new ServerInfo(SERVER_VERSION));
    }

    @Override
    public UserWithCreds me() {
        return call(() -> internal.users().myUser(access.user()));
    }

    @Override
    public List<User> listUsers(UserQuery query) {
        Objects.requireNonNull(query, "query is null");
        checkListing(query.namePattern(), query.limit());
        return call(() -> {
            UserRow user = access.user();
            return internal.users().list(user, false, query.namePattern(), query.prevCreatedAt(), query.prevId(),
                    orDefault(query.limit(), MAX_LISTED), Boolean.TRUE.equals(query.ascending())).users();
        });
    }

    @Override
    public User createUser(NewUser user) {
        Objects.requireNonNull(user, "user is null");
        return call(() -> {
            access.user(Need.GLOBAL_ADMIN);
            return internal.users().create(user.username(), user.globalRole(), user.email(), user.active());
        });
    }

    @Override
    public UserWithCreds refreshToken(String username) {
        Objects.requireNonNull(username, "username is null");
        return call(() -> internal.users().refreshToken(access.user(), username));
    }

    // ---------------------------------------------------------------- projects

    @Override
    public List<Project> listProjects(ProjectQuery query) {
        Objects.requireNonNull(query, "query is null");
        checkListing(query.namePattern(), query.limit());
        return call(() -> {
            UserRow user = access.user();
            return internal.projects().list(user, query.includeNotJoined(), false, query.namePattern(),
                    query.prevCreatedAt(), query.prevId(), orDefault(query.limit(), MAX_LISTED),
                    Boolean.TRUE.equals(query.ascending())).projects();
        });
    }

    @Override
    public Project getProject(String project) {
        Objects.requireNonNull(project, "project is null");
        return call(() -> internal.projects().view(access.scope(project, Need.PROJECT_MEMBER_OR_PUBLIC).project()));
    }

    @Override
    public Project createProject(String project, boolean isPublic) {
        Objects.requireNonNull(project, "project is null");
        return call(() -> internal.projects().create(access.user(), project, isPublic));
    }

    @Override
    public void deleteProjects(List<String> projects) {
        List<String> names = List.copyOf(projects);
        run(() -> internal.projects().delete(access.user(), names));
    }

    @Override
    public Project addMembers(String project, List<MemberSetting> members) {
        List<Projects.MemberSetting> settings = members(members);
        return call(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MANAGER_OR_PUBLIC);
            return internal.projects().addMembers(scope.user(), scope.project(), settings);
        });
    }

    @Override
    public Project setMembers(String project, List<MemberSetting> members) {
        List<Projects.MemberSetting> settings = members(members);
        return call(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MANAGER);
            return internal.projects().setMembers(scope.user(), scope.project(), settings);
        });
    }

    @Override
    public Project removeMembers(String project, List<String> usernames) {
        List<String> names = List.copyOf(usernames);
        return call(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MEMBER);
            return internal.projects().removeMembers(scope.user(), scope.project(), names);
        });
    }

    @Override
    public Project updateProject(String project, Boolean isPublic) {
        Objects.requireNonNull(project, "project is null");
        return call(() -> internal.projects().update(access.scope(project, Need.PROJECT_ADMIN).project(), isPublic, null));
    }

    // ---------------------------------------------------------------- the caller's SSH public keys

    @Override
    public List<PublicKeyInfo> listPublicKeys() {
        return call(() -> internal.publicKeys().list(access.user()));
    }

    @Override
    public PublicKeyInfo addPublicKey(String key, String name) {
        Objects.requireNonNull(key, "key is null");
        return call(() -> internal.publicKeys().add(access.user(), key, name));
    }

    @Override
    public void deletePublicKeys(List<UUID> ids) {
        List<UUID> copy = List.copyOf(ids);
        run(() -> internal.publicKeys().delete(access.user(), copy));
    }

    // ---------------------------------------------------------------- repos

    @Override
    public void initRepo(String project, String repoId, RepoInfo info, RemoteRepoCreds creds) {
        Objects.requireNonNull(repoId, "repoId is null");
        Objects.requireNonNull(info, "info is null");
        run(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MEMBER);
            internal.repos().init(scope.project(), scope.user(), repoId, info, creds);
        });
    }

    // ---------------------------------------------------------------- uploads

    @Override
    public FileArchive uploadArchive(byte[] tar) {
        Objects.requireNonNull(tar, "tar is null");
        return call(() -> internal.uploads().uploadArchive(access.user(), Hashes.sha256(tar), tar));
    }

    @Override
    public FileArchive getArchiveByHash(String hash) {
        Objects.requireNonNull(hash, "hash is null");
        return call(() -> internal.uploads().archiveByHash(access.user(), hash));
    }

    @Override
    public String uploadCode(String project, String repoId, byte[] code) {
        Objects.requireNonNull(repoId, "repoId is null");
        Objects.requireNonNull(code, "code is null");
        String hash = Hashes.sha256(code);
        run(() -> internal.uploads().uploadCode(access.scope(project, Need.PROJECT_MEMBER).project(), repoId, hash, code));
        return hash;
    }

    // ---------------------------------------------------------------- runs

    @Override
    public List<Run> listRuns(RunQuery query) {
        Objects.requireNonNull(query, "query is null");
        ai.dstack.core.internal.operations.RunQuery engineQuery = new ai.dstack.core.internal.operations.RunQuery(
                query.projectName(), query.repoId(), query.username(), query.onlyActive(), query.includeJobs(),
                orDefault(query.jobSubmissionsLimit(), MAX_JOB_SUBMISSIONS), query.prevSubmittedAt(), query.prevRunId(),
                query.limit(), query.ascending());
        return call(() -> internal.runs().list(memberProjects(access.user()), engineQuery));
    }

    @Override
    public Run getRun(String project, String runName) {
        Objects.requireNonNull(runName, "runName is null");
        return call(() -> internal.runs().get(access.scope(project, Need.PROJECT_MEMBER).project(), runName, null));
    }

    @Override
    public Run getRun(String project, UUID runId) {
        Objects.requireNonNull(runId, "runId is null");
        return call(() -> internal.runs().get(access.scope(project, Need.PROJECT_MEMBER).project(), null, runId));
    }

    @Override
    public RunPlan getRunPlan(String project, RunPlanRequest request) {
        Objects.requireNonNull(request, "request is null");
        return call(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MEMBER);
            return internal.runs().plan(scope.project(), scope.user(), request.runSpec(), request.maxOffers());
        });
    }

    @Override
    public Run applyRun(String project, ApplyRunRequest request) {
        Objects.requireNonNull(request, "request is null");
        return call(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MEMBER);
            return internal.runs().apply(scope.project(), scope.user(), request.runSpec(), request.currentResource(),
                    request.force());
        });
    }

    @Override
    public void stopRuns(String project, List<String> runNames, boolean abort) {
        List<String> names = List.copyOf(runNames);
        run(() -> internal.runs().stop(access.scope(project, Need.PROJECT_MEMBER).project(), names, abort));
    }

    @Override
    public void deleteRuns(String project, List<String> runNames) {
        List<String> names = List.copyOf(runNames);
        run(() -> internal.runs().delete(access.scope(project, Need.PROJECT_MEMBER).project(), names));
    }

    @Override
    public ai.dstack.api.metrics.JobMetrics getJobMetrics(String project, String runName, int replicaNum, int jobNum,
            int limit) {
        return call(() -> {
            ProjectRow scope = access.scope(project, Need.PROJECT_MEMBER).project();
            return internal.jobMetrics().metrics(scope, runName, null, replicaNum, jobNum, limit, null, null);
        });
    }

    @Override
    public List<ai.dstack.api.event.Event> listEvents(ai.dstack.api.event.ListEventsRequest request) {
        Objects.requireNonNull(request, "request is null");
        return call(() -> internal.eventQueries().list(access.user(), request));
    }

    /** {@code logs/poll}: the same page as the server's, with the message bytes the server would base64-encode. */
    @Override
    public JobSubmissionLogs pollLogs(String project, PollLogsRequest request) {
        Objects.requireNonNull(request, "request is null");
        LogQuery query = new LogQuery(request.startTime(), request.endTime(), request.descending(), request.nextToken(),
                request.limit(), request.diagnose());
        return call(() -> {
            ProjectRow scope = access.scope(project, Need.PROJECT_MEMBER).project();
            LogPage page = internal.runs().logs(scope, request.runName(), request.jobSubmissionId(), query);
            List<LogEvent> events = page.events().stream()
                    .map(e -> LogEvent.of(e.timestamp(), LogEventSource.fromWireValue(e.source().wireValue()),
                            e.message().getBytes(StandardCharsets.UTF_8)))
                    .toList();
            return new JobSubmissionLogs(events, page.externalUrl(), page.nextToken());
        });
    }

    // ---------------------------------------------------------------- fleets and instances

    /** The project's fleets; {@code includeImported} changes nothing, as no project can export fleets yet. */
    @Override
    public List<Fleet> listFleets(String project, boolean includeImported) {
        return call(() -> internal.fleets().list(access.scope(project, Need.PROJECT_MEMBER).project()));
    }

    @Override
    public Fleet getFleet(String project, String fleetName) {
        Objects.requireNonNull(fleetName, "fleetName is null");
        return call(() -> internal.fleets().get(access.scope(project, Need.PROJECT_MEMBER).project(), fleetName, null));
    }

    @Override
    public FleetPlan getFleetPlan(String project, FleetSpec spec) {
        Objects.requireNonNull(spec, "spec is null");
        return call(() -> internal.fleets().plan(access.scope(project, Need.PROJECT_MEMBER).project(),
                access.user().name(), spec));
    }

    @Override
    public Fleet applyFleet(String project, ApplyFleetRequest request) {
        Objects.requireNonNull(request, "request is null");
        return call(() -> internal.fleets().apply(access.scope(project, Need.PROJECT_MEMBER).project(),
                request.spec()));
    }

    @Override
    public void deleteFleets(String project, List<String> fleetNames) {
        Objects.requireNonNull(fleetNames, "fleetNames is null");
        run(() -> internal.fleets().delete(access.scope(project, Need.PROJECT_MEMBER).project(), fleetNames));
    }

    @Override
    public List<Instance> listInstances(InstanceQuery query) {
        Objects.requireNonNull(query, "query is null");
        return call(() -> {
            List<ProjectRow> projects = memberProjects(access.user()).stream()
                    .filter(p -> query.projectNames() == null || query.projectNames().contains(p.name())).toList();
            return internal.fleets().instances(projects, query.fleetIds() == null ? null : new HashSet<>(query.fleetIds()),
                    query.onlyActive(), query.prevCreatedAt(), query.prevId(), query.limit(), query.ascending());
        });
    }

    // ---------------------------------------------------------------- secrets

    @Override
    public List<Secret> listSecrets(String project) {
        return call(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MANAGER);
            return internal.secrets().list(scope.project(), scope.user());
        });
    }

    @Override
    public Secret getSecret(String project, String name) {
        Objects.requireNonNull(name, "name is null");
        return call(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MANAGER);
            return internal.secrets().get(scope.project(), scope.user(), name);
        });
    }

    @Override
    public Secret setSecret(String project, String name, String value) {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(value, "value is null");
        return call(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MANAGER);
            return internal.secrets().createOrUpdate(scope.project(), scope.user(), name, value);
        });
    }

    @Override
    public void deleteSecrets(String project, List<String> names) {
        List<String> copy = List.copyOf(names);
        run(() -> {
            Scope scope = access.scope(project, Need.PROJECT_MANAGER);
            internal.secrets().delete(scope.project(), scope.user(), copy);
        });
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

    // ---------------------------------------------------------------- plumbing

    /** The projects a caller's listings span: all for a global admin, its memberships otherwise (as the server's). */
    private List<ProjectRow> memberProjects(UserRow user) {
        return Users.isAdmin(user) ? internal.projects().all() : internal.projects().memberProjects(user);
    }

    /** The server's validation of a users or projects listing (a 422 there, so not translated like engine errors). */
    private static void checkListing(String namePattern, Integer limit) {
        if (namePattern != null && !NAME_PATTERN.matcher(namePattern).find()) {
            throw new DstackException(ErrorCode.INVALID_REQUEST,
                    "name_pattern: String should match pattern '" + NAME_PATTERN.pattern() + "'");
        }
        if (limit != null && (limit < 0 || limit > MAX_LISTED)) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "limit: must be between 0 and " + MAX_LISTED + ", not " + limit);
        }
    }

    private static List<Projects.MemberSetting> members(List<MemberSetting> members) {
        return members.stream().map(m -> new Projects.MemberSetting(m.username(), m.projectRole())).toList();
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    private <T> T call(Supplier<T> action) {
        if (closed.get()) {
            throw new IllegalStateException("This dstack client is closed");
        }
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw RemoteErrors.translate(e);
        }
    }

    private void run(Runnable action) {
        call(() -> {
            action.run();
            return null;
        });
    }
}
