package ai.dstack.core.internal.app;

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
import ai.dstack.api.offer.GpuGroup;
import ai.dstack.api.offer.GpuGrouping;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.project.Project;
import ai.dstack.api.project.ProjectsInfoList;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoHead;
import ai.dstack.api.repo.RepoHeadWithCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.secret.Secret;
import ai.dstack.api.server.ServerInfo;
import ai.dstack.api.user.PublicKeyInfo;
import ai.dstack.api.user.User;
import ai.dstack.api.user.UserWithCreds;
import ai.dstack.api.user.UsersInfoList;
import ai.dstack.client.ApplyFleetRequest;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.client.InstanceQuery;
import ai.dstack.client.ListGpusRequest;
import ai.dstack.client.MemberSetting;
import ai.dstack.client.NewUser;
import ai.dstack.client.ProjectQuery;
import ai.dstack.client.RunPlanRequest;
import ai.dstack.client.RunQuery;
import ai.dstack.client.UserQuery;
import ai.dstack.core.app.Caller;
import ai.dstack.core.app.DstackApp;
import ai.dstack.core.app.InvalidArgument;
import ai.dstack.core.app.Operation;
import ai.dstack.core.internal.app.Permissions.Scope;
import ai.dstack.core.internal.config.BackendConfig;
import ai.dstack.core.internal.config.BackendConfigReader;
import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.core.internal.operations.Projects;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.storage.ProjectRow;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@link DstackApp} over an {@link Engine}: each operation checks its caller once ({@link Permissions}), validates
 * what the engine does not, calls dstack's operations and maps errors ({@link AppErrors}).
 */
public final class Application implements DstackApp {
    /** The dstack release whose API the engine implements. */
    public static final String API_VERSION = ai.dstack.client.RemoteDstackClient.DEFAULT_API_VERSION;
    /** The server's rule for {@code name_pattern} in users and projects listings. */
    static final Pattern NAME_PATTERN = Pattern.compile("^[a-zA-Z0-9-_]*$");
    static final int MAX_LISTED = 2000;
    static final int MAX_JOB_SUBMISSIONS = 10;
    /** dstack's limit on {@code volumes/list}. */
    static final int MAX_VOLUMES_LISTED = 100;
    /** Offers a GPU listing looks at. */
    private static final int GPU_OFFERS = 10000;

    private final Engine engine;
    private final Permissions permissions;

    public Application(Engine engine) {
        this.engine = Objects.requireNonNull(engine, "engine is null");
        this.permissions = new Permissions(engine.users(), engine.projects(), new CallerCache(
                engine.sharedByReplicas() ? CallerCache.REPLICAS_TIME_TO_LIVE : CallerCache.SOLE_SERVER_TIME_TO_LIVE));
    }

    // ---------------------------------------------------------------- callers

    @Override
    public Caller authenticate(String token) {
        return permissions.authenticate(token);
    }

    /**
     * The active user of this name as a caller, without a token: for the engine acting as its own admin, whose
     * token may be refreshed while it runs.
     */
    public Caller userNamed(String username) {
        return permissions.userNamed(username);
    }

    @Override
    public void authorize(Caller caller, Operation operation, String projectName) {
        permissions.check(caller, operation, projectName);
    }

    // ---------------------------------------------------------------- server

    @Override
    public ServerInfo serverInfo() {
        return new ServerInfo(API_VERSION);
    }

    @Override
    public List<String> backendTypes() {
        return BackendConfigReader.types();
    }

    // ---------------------------------------------------------------- users

    @Override
    public UsersInfoList listUsers(Caller caller, UserQuery query, boolean withTotal) {
        Objects.requireNonNull(query, "query is null");
        return user(caller, Operation.LIST_USERS, user -> {
            checkListing(query.namePattern(), query.limit());
            return engine.users().list(user.user(), withTotal, query.namePattern(), query.prevCreatedAt(),
                    query.prevId(), orDefault(query.limit(), MAX_LISTED), Boolean.TRUE.equals(query.ascending()));
        });
    }

    @Override
    public UserWithCreds me(Caller caller) {
        return user(caller, Operation.GET_MY_USER, s -> engine.users().myUser(s.user()));
    }

    @Override
    public UserWithCreds getUser(Caller caller, String username) {
        return user(caller, Operation.GET_USER, s -> engine.users().get(s.user(), username));
    }

    @Override
    public User createUser(Caller caller, NewUser user) {
        Objects.requireNonNull(user, "user is null");
        return forgettingCallers(() -> user(caller, Operation.CREATE_USER,
                s -> engine.users().create(user.username(), user.globalRole(), user.email(), user.active())));
    }

    @Override
    public User updateUser(Caller caller, NewUser user) {
        Objects.requireNonNull(user, "user is null");
        return forgettingCallers(() -> user(caller, Operation.UPDATE_USER,
                s -> engine.users().update(user.username(), user.globalRole(), user.email(), user.active())));
    }

    @Override
    public UserWithCreds refreshToken(Caller caller, String username) {
        return forgettingCallers(() -> user(caller, Operation.REFRESH_TOKEN,
                s -> engine.users().refreshToken(s.user(), username)));
    }

    @Override
    public UserWithCreds refreshSshKey(Caller caller, String username) {
        return forgettingCallers(() -> user(caller, Operation.REFRESH_SSH_KEY,
                s -> engine.users().refreshSshKey(s.user(), username)));
    }

    @Override
    public void deleteUsers(Caller caller, List<String> usernames) {
        List<String> names = List.copyOf(usernames);
        forgettingCallers(() -> user(caller, Operation.DELETE_USERS, s -> {
            engine.users().delete(names);
            return null;
        }));
    }

    @Override
    public List<PublicKeyInfo> listPublicKeys(Caller caller) {
        return user(caller, Operation.LIST_PUBLIC_KEYS, s -> engine.publicKeys().list(s.user()));
    }

    @Override
    public PublicKeyInfo addPublicKey(Caller caller, String key, String name) {
        return user(caller, Operation.ADD_PUBLIC_KEY, s -> engine.publicKeys().add(s.user(), key, name));
    }

    @Override
    public void deletePublicKeys(Caller caller, List<UUID> ids) {
        List<UUID> copy = List.copyOf(ids);
        user(caller, Operation.DELETE_PUBLIC_KEYS, s -> {
            engine.publicKeys().delete(s.user(), copy);
            return null;
        });
    }

    // ---------------------------------------------------------------- projects

    @Override
    public ProjectsInfoList listProjects(Caller caller, ProjectQuery query, boolean withTotal) {
        Objects.requireNonNull(query, "query is null");
        return user(caller, Operation.LIST_PROJECTS, s -> {
            checkListing(query.namePattern(), query.limit());
            return engine.projects().list(s.user(), query.includeNotJoined(), withTotal, query.namePattern(),
                    query.prevCreatedAt(), query.prevId(), orDefault(query.limit(), MAX_LISTED),
                    Boolean.TRUE.equals(query.ascending()));
        });
    }

    @Override
    public List<Project> listProjectsWithoutFleets(Caller caller) {
        return user(caller, Operation.LIST_PROJECTS_WITHOUT_FLEETS,
                s -> engine.projects().memberProjectsWithoutFleets(s.user()));
    }

    @Override
    public Project createProject(Caller caller, String project, boolean isPublic) {
        return forgettingCallers(() -> user(caller, Operation.CREATE_PROJECT,
                s -> engine.projects().create(s.user(), project, isPublic)));
    }

    @Override
    public void deleteProjects(Caller caller, List<String> projects) {
        List<String> names = List.copyOf(projects);
        forgettingCallers(() -> user(caller, Operation.DELETE_PROJECTS, s -> {
            engine.projects().delete(s.user(), names);
            return null;
        }));
    }

    @Override
    public Project getProject(Caller caller, String project) {
        return in(caller, Operation.GET_PROJECT, project, s -> engine.projects().view(s.project()));
    }

    @Override
    public Project updateProject(Caller caller, String project, Boolean isPublic, String templatesRepo) {
        return forgettingCallers(() -> in(caller, Operation.UPDATE_PROJECT, project,
                s -> engine.projects().update(s.project(), isPublic, templatesRepo)));
    }

    @Override
    public Project setMembers(Caller caller, String project, List<MemberSetting> members) {
        List<Projects.MemberSetting> settings = members(members);
        return forgettingCallers(() -> in(caller, Operation.SET_MEMBERS, project, s -> {
            checkAdminRoleChanges(caller, s, settings);
            return engine.projects().setMembers(s.user(), s.project(), settings);
        }));
    }

    @Override
    public Project addMembers(Caller caller, String project, List<MemberSetting> members) {
        List<Projects.MemberSetting> settings = members(members);
        return forgettingCallers(() -> in(caller, Operation.ADD_MEMBERS, project, s -> {
            checkAdminRoleChanges(caller, s, settings);
            return engine.projects().addMembers(s.user(), s.project(), settings);
        }));
    }

    /** A setting that gives a current project admin another role needs {@link Operation#CHANGE_PROJECT_ADMIN_ROLES}. */
    private void checkAdminRoleChanges(Caller caller, Scope scope, List<Projects.MemberSetting> settings) {
        java.util.Set<String> admins = engine.projects().adminNames(scope.project());
        List<String> demoted = settings.stream()
                .filter(m -> admins.contains(m.username()) && m.projectRole() != ai.dstack.api.user.ProjectRole.ADMIN)
                .map(Projects.MemberSetting::username).toList();
        if (!demoted.isEmpty()) {
            denyUnless(caller, Operation.CHANGE_PROJECT_ADMIN_ROLES, scope.project().name(),
                    "Access denied: only project admins can change the role of a project admin (user: "
                            + String.join(", ", demoted) + ")");
        }
    }

    @Override
    public Project removeMembers(Caller caller, String project, List<String> usernames) {
        List<String> names = List.copyOf(usernames);
        return forgettingCallers(() -> in(caller, Operation.REMOVE_MEMBERS, project,
                s -> engine.projects().removeMembers(s.user(), s.project(), names)));
    }

    // ---------------------------------------------------------------- runs

    @Override
    public List<Run> listRuns(Caller caller, RunQuery query) {
        Objects.requireNonNull(query, "query is null");
        ai.dstack.core.internal.operations.RunQuery engineQuery = new ai.dstack.core.internal.operations.RunQuery(
                query.projectName(), query.repoId(), query.username(), query.onlyActive(), query.includeJobs(),
                orDefault(query.jobSubmissionsLimit(), MAX_JOB_SUBMISSIONS), query.prevSubmittedAt(), query.prevRunId(),
                query.limit(), query.ascending());
        return user(caller, Operation.LIST_RUNS,
                s -> engine.runs().list(permissions.memberProjects(s.user()), engineQuery));
    }

    @Override
    public Run getRun(Caller caller, String project, String runName, UUID runId) {
        return in(caller, Operation.GET_RUN, project, s -> engine.runs().get(s.project(), runName, runId));
    }

    @Override
    public RunPlan getRunPlan(Caller caller, String project, RunPlanRequest request) {
        Objects.requireNonNull(request, "request is null");
        return in(caller, Operation.GET_RUN_PLAN, project,
                s -> engine.runs().plan(s.project(), s.user(), request.runSpec(), request.maxOffers()));
    }

    @Override
    public Run applyRun(Caller caller, String project, ApplyRunRequest request) {
        Objects.requireNonNull(request, "request is null");
        return in(caller, Operation.APPLY_RUN, project, s -> engine.runs().apply(s.project(), s.user(),
                request.runSpec(), request.currentResource(), request.force(), spec -> admitNewRun(s, spec)));
    }

    @Override
    public void stopRuns(Caller caller, String project, List<String> runNames, boolean abort) {
        List<String> names = List.copyOf(runNames);
        in(caller, Operation.STOP_RUNS, project, s -> {
            engine.runs().stop(s.project(), names, abort);
            return null;
        });
    }

    @Override
    public void deleteRuns(Caller caller, String project, List<String> runNames) {
        List<String> names = List.copyOf(runNames);
        in(caller, Operation.DELETE_RUNS, project, s -> {
            engine.runs().delete(s.project(), names);
            return null;
        });
    }

    /** {@code logs/poll}: the page as the server sends it, with the message bytes it base64-encodes. */
    @Override
    public JobSubmissionLogs pollLogs(Caller caller, String project, PollLogsRequest request) {
        Objects.requireNonNull(request, "request is null");
        LogQuery query = new LogQuery(request.startTime(), request.endTime(), request.descending(), request.nextToken(),
                request.limit(), request.diagnose());
        return in(caller, Operation.POLL_LOGS, project, s -> {
            LogPage page = engine.runs().logs(s.project(), request.runName(), request.jobSubmissionId(), query);
            List<LogEvent> events = page.events().stream()
                    .map(e -> LogEvent.of(e.timestamp(), LogEventSource.fromWireValue(e.source().wireValue()),
                            e.message().getBytes(StandardCharsets.UTF_8)))
                    .toList();
            return new JobSubmissionLogs(events, page.externalUrl(), page.nextToken());
        });
    }

    @Override
    public List<GpuGroup> listGpus(Caller caller, String project, ListGpusRequest request) {
        Objects.requireNonNull(request, "request is null");
        return in(caller, Operation.LIST_GPUS, project, s -> {
            if (request.groupBy().contains(GpuGrouping.REGION) && !request.groupBy().contains(GpuGrouping.BACKEND)) {
                throw new DstackException(ErrorCode.ERROR, "Cannot group by 'region' without also grouping by 'backend'");
            }
            RunPlan plan = engine.runs().plan(s.project(), s.user(), request.runSpec(), GPU_OFFERS);
            List<InstanceOfferWithAvailability> offers = plan.jobPlans().isEmpty() ? List.of()
                    : plan.jobPlans().get(0).offers();
            return GpuGroups.of(offers, request.groupBy());
        });
    }

    // ---------------------------------------------------------------- secrets

    @Override
    public List<Secret> listSecrets(Caller caller, String project) {
        return in(caller, Operation.LIST_SECRETS, project, s -> engine.secrets().list(s.project(), s.user()));
    }

    @Override
    public Secret getSecret(Caller caller, String project, String name) {
        return in(caller, Operation.GET_SECRET, project, s -> engine.secrets().get(s.project(), s.user(), name));
    }

    @Override
    public Secret setSecret(Caller caller, String project, String name, String value) {
        return in(caller, Operation.SET_SECRET, project,
                s -> engine.secrets().createOrUpdate(s.project(), s.user(), name, value));
    }

    @Override
    public void deleteSecrets(Caller caller, String project, List<String> names) {
        List<String> copy = List.copyOf(names);
        in(caller, Operation.DELETE_SECRETS, project, s -> {
            engine.secrets().delete(s.project(), s.user(), copy);
            return null;
        });
    }

    // ---------------------------------------------------------------- repos and uploads

    @Override
    public List<RepoHead> listRepos(Caller caller, String project) {
        return in(caller, Operation.LIST_REPOS, project, s -> engine.repos().list(s.project()));
    }

    @Override
    public RepoHeadWithCreds getRepo(Caller caller, String project, String repoId, boolean includeCreds) {
        return in(caller, Operation.GET_REPO, project,
                s -> engine.repos().get(s.project(), s.user(), repoId, includeCreds));
    }

    @Override
    public void initRepo(Caller caller, String project, String repoId, RepoInfo info, RemoteRepoCreds creds) {
        in(caller, Operation.INIT_REPO, project, s -> {
            engine.repos().init(s.project(), s.user(), repoId, info, creds);
            return null;
        });
    }

    @Override
    public void deleteRepos(Caller caller, String project, List<String> repoIds) {
        List<String> ids = List.copyOf(repoIds);
        in(caller, Operation.DELETE_REPOS, project, s -> {
            engine.repos().delete(s.project(), ids);
            return null;
        });
    }

    @Override
    public void uploadCode(Caller caller, String project, String repoId, String hash, byte[] code) {
        in(caller, Operation.UPLOAD_CODE, project, s -> {
            engine.uploads().uploadCode(s.project(), repoId, hash, code);
            return null;
        });
    }

    @Override
    public FileArchive uploadArchive(Caller caller, String hash, byte[] tar) {
        return user(caller, Operation.UPLOAD_ARCHIVE, s -> engine.uploads().uploadArchive(s.user(), hash, tar));
    }

    @Override
    public FileArchive getArchiveByHash(Caller caller, String hash) {
        return user(caller, Operation.GET_ARCHIVE_BY_HASH, s -> engine.uploads().archiveByHash(s.user(), hash));
    }

    // ---------------------------------------------------------------- fleets and instances

    @Override
    public List<Fleet> listAllFleets(Caller caller, String projectName, boolean onlyActive, Instant prevCreatedAt,
            UUID prevId, int limit, boolean ascending) {
        return user(caller, Operation.LIST_ALL_FLEETS, s -> {
            List<ProjectRow> projects = permissions.memberProjects(s.user()).stream()
                    .filter(p -> projectName == null || p.name().equals(projectName)).toList();
            return engine.fleets().list(projects, onlyActive, prevCreatedAt, prevId, limit, ascending);
        });
    }

    /** The project's fleets; imported ones are none, as no project can export fleets yet. */
    @Override
    public List<Fleet> listFleets(Caller caller, String project) {
        return in(caller, Operation.LIST_FLEETS, project, s -> engine.fleets().list(s.project()));
    }

    @Override
    public Fleet getFleet(Caller caller, String project, String name, UUID id) {
        return in(caller, Operation.GET_FLEET, project, s -> engine.fleets().get(s.project(), name, id));
    }

    @Override
    public FleetPlan getFleetPlan(Caller caller, String project, FleetSpec spec) {
        Objects.requireNonNull(spec, "spec is null");
        return in(caller, Operation.GET_FLEET_PLAN, project, s -> {
            checkFleetSpec(spec);
            checkKeyFiles(caller, project, spec);
            return engine.fleets().plan(s.project(), s.user().name(), spec);
        });
    }

    @Override
    public Fleet applyFleet(Caller caller, String project, ApplyFleetRequest request) {
        Objects.requireNonNull(request, "request is null");
        return in(caller, Operation.APPLY_FLEET, project, s -> {
            checkFleetSpec(request.spec());
            if (request.spec().configuration().sshConfig() != null) {
                checkManagesSshFleets(caller, project);
            }
            checkKeyFiles(caller, project, request.spec());
            return engine.fleets().apply(s.project(), s.user().name(), request.spec());
        });
    }

    @Override
    public void deleteFleets(Caller caller, String project, List<String> names) {
        List<String> copy = List.copyOf(names);
        in(caller, Operation.DELETE_FLEETS, project, s -> {
            if (anySshFleet(s, copy)) {
                checkManagesSshFleets(caller, project);
            }
            engine.fleets().delete(s.project(), copy);
            return null;
        });
    }

    @Override
    public void deleteFleetInstances(Caller caller, String project, String fleetName, List<Integer> instanceNums) {
        List<Integer> nums = List.copyOf(instanceNums);
        in(caller, Operation.DELETE_FLEET_INSTANCES, project, s -> {
            if (anySshFleet(s, List.of(fleetName))) {
                checkManagesSshFleets(caller, project);
            }
            engine.fleets().deleteInstances(s.project(), fleetName, nums);
            return null;
        });
    }

    @Override
    public List<Instance> listInstances(Caller caller, InstanceQuery query) {
        Objects.requireNonNull(query, "query is null");
        return user(caller, Operation.LIST_INSTANCES, s -> {
            List<ProjectRow> projects = permissions.memberProjects(s.user()).stream()
                    .filter(p -> query.projectNames() == null || query.projectNames().contains(p.name())).toList();
            return engine.fleets().instances(projects, query.fleetIds() == null ? null : new HashSet<>(query.fleetIds()),
                    query.onlyActive(), query.prevCreatedAt(), query.prevId(), query.limit(), query.ascending());
        });
    }

    @Override
    public Instance getInstance(Caller caller, String project, UUID id) {
        return in(caller, Operation.GET_INSTANCE, project, s -> engine.fleets().instance(s.project(), id));
    }

    @Override
    public List<JsonNode> instanceHealthChecks(Caller caller, String project, String fleetName, int instanceNum) {
        return in(caller, Operation.GET_INSTANCE_HEALTH_CHECKS, project, s -> List.of());
    }

    // ---------------------------------------------------------------- backend configurations

    @Override
    public ObjectNode createBackend(Caller caller, String project, JsonNode config) {
        return in(caller, Operation.CREATE_BACKEND, project,
                s -> engine.backendConfigs().create(s.project(), engine.backendConfigs().parseJson(config)).withCreds());
    }

    @Override
    public ObjectNode updateBackend(Caller caller, String project, JsonNode config) {
        return in(caller, Operation.UPDATE_BACKEND, project,
                s -> engine.backendConfigs().update(s.project(), engine.backendConfigs().parseJson(config)).withCreds());
    }

    @Override
    public void createBackendYaml(Caller caller, String project, String yaml) {
        in(caller, Operation.CREATE_BACKEND, project,
                s -> engine.backendConfigs().create(s.project(), engine.backendConfigs().parseYaml(yaml)));
    }

    @Override
    public void updateBackendYaml(Caller caller, String project, String yaml) {
        in(caller, Operation.UPDATE_BACKEND, project,
                s -> engine.backendConfigs().update(s.project(), engine.backendConfigs().parseYaml(yaml)));
    }

    @Override
    public void deleteBackends(Caller caller, String project, List<String> types) {
        List<String> copy = List.copyOf(types);
        in(caller, Operation.DELETE_BACKENDS, project, s -> {
            engine.backendConfigs().delete(s.project(), copy);
            return null;
        });
    }

    @Override
    public ObjectNode backendConfig(Caller caller, String project, String type) {
        return in(caller, Operation.GET_BACKEND, project, s -> engine.backendConfigs().get(s.project(), type).withCreds());
    }

    @Override
    public String backendYaml(Caller caller, String project, String type) {
        return in(caller, Operation.GET_BACKEND, project, s -> {
            BackendConfig config = engine.backendConfigs().get(s.project(), type);
            return engine.backendConfigs().yaml(config);
        });
    }

    // ---------------------------------------------------------------- features with nothing behind them yet

    @Override
    public List<JsonNode> listAllVolumes(Caller caller, String projectName) {
        return listAllVolumes(caller, projectName, false, null, null, MAX_VOLUMES_LISTED, false);
    }

    @Override
    public List<JsonNode> listAllVolumes(Caller caller, String projectName, boolean onlyActive,
            Instant prevCreatedAt, UUID prevId, int limit, boolean ascending) {
        return user(caller, Operation.LIST_ALL_VOLUMES, s -> {
            if (limit < 0 || limit > MAX_VOLUMES_LISTED) {
                throw new InvalidArgument(List.of("limit"), "must be between 0 and " + MAX_VOLUMES_LISTED + ", not "
                        + limit);
            }
            List<ProjectRow> projects = permissions.memberProjects(s.user()).stream()
                    .filter(p -> projectName == null || p.name().equals(projectName)).toList();
            return engine.volumes().listAll(projects, onlyActive, prevCreatedAt, prevId, limit, ascending);
        });
    }

    @Override
    public List<JsonNode> listVolumes(Caller caller, String project) {
        return in(caller, Operation.LIST_VOLUMES, project, s -> engine.volumes().list(s.project()));
    }

    @Override
    public JsonNode getVolume(Caller caller, String project, String name) {
        return in(caller, Operation.GET_VOLUME, project, s -> engine.volumes().get(s.project(), name));
    }

    @Override
    public JsonNode createVolume(Caller caller, String project, JsonNode configuration) {
        return in(caller, Operation.CREATE_VOLUME, project,
                s -> engine.volumes().create(s.project(), s.user(), configuration));
    }

    @Override
    public void deleteVolumes(Caller caller, String project, List<String> names) {
        List<String> copy = List.copyOf(names);
        in(caller, Operation.DELETE_VOLUMES, project, s -> {
            engine.volumes().delete(s.project(), s.user(), copy);
            return null;
        });
    }

    @Override
    public List<JsonNode> listExports(Caller caller, String project) {
        return in(caller, Operation.LIST_EXPORTS, project, s -> List.of());
    }

    @Override
    public JsonNode changeExport(Caller caller, String project) {
        return in(caller, Operation.CHANGE_EXPORT, project, s -> {
            throw new DstackException(ErrorCode.ERROR,
                    "Exporting fleets and gateways to other projects is not supported by this server yet");
        });
    }

    @Override
    public void deleteExport(Caller caller, String project, String name) {
        in(caller, Operation.DELETE_EXPORT, project, s -> {
            throw notFound();
        });
    }

    @Override
    public List<JsonNode> listImports(Caller caller, String project) {
        return in(caller, Operation.LIST_IMPORTS, project, s -> List.of());
    }

    @Override
    public void deleteImport(Caller caller, String project, String exportName, String exportProjectName) {
        in(caller, Operation.DELETE_IMPORT, project, s -> {
            throw notFound();
        });
    }

    @Override
    public List<JsonNode> listTemplates(Caller caller, String project) {
        return in(caller, Operation.LIST_TEMPLATES, project, s -> List.of());
    }

    @Override
    public List<ai.dstack.api.event.Event> listEvents(Caller caller, ai.dstack.api.event.ListEventsRequest request) {
        Objects.requireNonNull(request, "request is null");
        return user(caller, Operation.LIST_EVENTS, s -> engine.eventQueries().list(s.user(), request));
    }

    @Override
    public ai.dstack.api.metrics.JobMetrics getJobMetrics(Caller caller, String project, String runName, UUID runId,
            int replicaNum, int jobNum, int limit, Instant after, Instant before) {
        return in(caller, Operation.GET_JOB_METRICS, project, s -> engine.jobMetrics().metrics(s.project(), runName,
                runId, replicaNum, jobNum, limit, after, before));
    }

    // ---------------------------------------------------------------- checks inside operations

    /** {@link Operation#MANAGE_SSH_FLEETS}, with a message naming the setting that refuses it. */
    private void checkManagesSshFleets(Caller caller, String project) {
        denyUnless(caller, Operation.MANAGE_SSH_FLEETS, project, "Access denied: only project admins can manage SSH"
                + " fleets here (default_permissions.allow_non_admins_manage_ssh_fleets is off)");
    }

    /** {@link Operation#READ_SERVER_KEY_FILES} when the spec names a key file without its contents. */
    private void checkKeyFiles(Caller caller, String project, FleetSpec spec) {
        List<String> fields = FleetKeyFiles.named(spec);
        if (!fields.isEmpty()) {
            denyUnless(caller, Operation.READ_SERVER_KEY_FILES, project, String.join(", ", fields)
                    + ": a key file on the server's machine may be named only by a global admin; send the key's"
                    + " contents as ssh_key (dstack apply does)");
        }
    }

    private boolean anySshFleet(Scope scope, List<String> names) {
        return engine.fleets().list(scope.project()).stream()
                .anyMatch(f -> names.contains(f.name()) && f.spec() != null && f.spec().configuration() != null
                        && f.spec().configuration().sshConfig() != null);
    }

    /**
     * A new run's checks: it unpacks only file archives its own user uploaded (their ids show in run specs, so they
     * are no secret), and its user and project stay within their run limits.
     */
    private void admitNewRun(Scope scope, ai.dstack.api.run.RunSpec spec) {
        for (ai.dstack.api.run.FileArchiveMapping mapping : spec.fileArchives()) {
            if (!engine.uploads().ownsArchive(mapping.id(), scope.user())) {
                throw new DstackException(ErrorCode.ERROR, "File archive " + mapping.id() + " not found");
            }
        }
        engine.runQuotas().requireRoomForNewRun(scope.project(), scope.user());
    }

    /** The one check for a part of an operation, refused with a message saying what is refused. */
    private void denyUnless(Caller caller, Operation operation, String project, String message) {
        try {
            permissions.check(caller, operation, project);
        } catch (ai.dstack.core.app.PermissionDenied e) {
            throw new ai.dstack.core.app.PermissionDenied(message);
        }
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * A change of users, projects or members: whatever it did (also when it failed half-way), the callers this
     * server keeps are forgotten once it is committed, so the next request is checked against it.
     */
    private <T> T forgettingCallers(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } finally {
            permissions.forgetCallers();
        }
    }

    /** An operation without a project: the check, then the work with engine errors translated. */
    private <T> T user(Caller caller, Operation operation, Function<Scope, T> work) {
        Scope scope = permissions.check(caller, operation, null);
        return translated(scope, work);
    }

    /** A project-scoped operation: the check (project, then role), then the work with engine errors translated. */
    private <T> T in(Caller caller, Operation operation, String project, Function<Scope, T> work) {
        Scope scope = permissions.scope(caller, operation, project);
        return translated(scope, work);
    }

    private static <T> T translated(Scope scope, Function<Scope, T> work) {
        try {
            return work.apply(scope);
        } catch (RuntimeException e) {
            throw AppErrors.translate(e);
        }
    }

    /** The server's validation of a users or projects listing (a 422 there). */
    private static void checkListing(String namePattern, Integer limit) {
        if (namePattern != null && !NAME_PATTERN.matcher(namePattern).find()) {
            throw new InvalidArgument(List.of("name_pattern"), "String should match pattern '" + NAME_PATTERN.pattern() + "'");
        }
        if (limit != null && (limit < 0 || limit > MAX_LISTED)) {
            throw new InvalidArgument(List.of("limit"), "must be between 0 and " + MAX_LISTED + ", not " + limit);
        }
    }

    /** A fleet spec without a configuration is refused as the server refuses it. */
    private static void checkFleetSpec(FleetSpec spec) {
        if (spec == null || spec.configuration() == null) {
            throw new DstackException(ErrorCode.ERROR, "The fleet spec has no configuration");
        }
    }

    private static List<Projects.MemberSetting> members(List<MemberSetting> members) {
        return members.stream().map(m -> new Projects.MemberSetting(m.username(), m.projectRole())).toList();
    }

    private static DstackException notFound() {
        return new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found");
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }
}
