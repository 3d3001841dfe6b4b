package ai.dstack.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.project.Project;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.secret.Secret;
import ai.dstack.api.server.ServerInfo;
import ai.dstack.api.files.FileArchive;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.user.PublicKeyInfo;
import ai.dstack.api.user.User;
import ai.dstack.api.user.UserWithCreds;
import ai.dstack.client.internal.Endpoint;
import ai.dstack.client.internal.Hashes;
import ai.dstack.client.internal.HttpTransport;
import ai.dstack.client.internal.OkHttpPresence;
import ai.dstack.client.internal.RequestBodies;
import ai.dstack.client.internal.WireJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DstackClient} for a dstack server's REST API (dstack's Python server or this project's), over OkHttp.
 *
 * <pre>{@code
 * // The default project of ~/.dstack/config.yml, or DSTACK_SERVER_URL / DSTACK_TOKEN / DSTACK_PROJECT:
 * try (RemoteDstackClient client = RemoteDstackClient.fromConfig()) { ... }
 *
 * // Explicit settings:
 * RemoteDstackClient client = RemoteDstackClient.builder()
 *         .url("http://127.0.0.1:3000")
 *         .token(System.getenv("DSTACK_TOKEN"))
 *         .defaultProject("main")
 *         .readTimeout(Duration.ofMinutes(5))
 *         .build();
 * }</pre>
 *
 * <p>Every call is a {@code POST} with {@code Authorization: Bearer <token>} and {@code X-API-VERSION} (the dstack
 * version whose API this client speaks, {@value #DEFAULT_API_VERSION}; a server older by a minor version refuses
 * it with "The client/CLI version ... is incompatible"). A connection that cannot be made is retried like dstack's
 * client does (3 attempts, 1 s apart), but a call that changes something is never repeated once the server may
 * have seen it; see {@link Builder#maxAttempts(int)}.
 *
 * <p>Safe for concurrent use; share one instance. {@link #close()} releases its connections.
 */
public final class RemoteDstackClient implements DstackClient {
    /** The dstack release whose REST API this client speaks; sent as {@code X-API-VERSION}. */
    public static final String DEFAULT_API_VERSION = "0.21.2";

    private static final Logger LOG = LoggerFactory.getLogger(RemoteDstackClient.class);

    private final HttpTransport transport;
    private final String defaultProject;

    private RemoteDstackClient(HttpTransport transport, String defaultProject) {
        this.transport = transport;
        this.defaultProject = defaultProject;
    }

    /**
     * @throws DstackException with {@link ErrorCode#INVALID_REQUEST} when OkHttp is not on the class path (it is an
     *     optional dependency of dstack-api: depend on {@code ai.dstack:dstack-client} to talk to a server)
     */
    public static Builder builder() {
        OkHttpPresence.require();
        return new Builder();
    }

    /**
     * A client for the default project: {@code DSTACK_SERVER_URL} + {@code DSTACK_TOKEN} (+ {@code DSTACK_PROJECT})
     * when both are set, else the project named by {@code DSTACK_PROJECT} or marked default in
     * {@code ~/.dstack/config.yml} ({@code DSTACK_TOKEN} alone overrides its token).
     *
     * @throws DstackException naming the file and the problem when no project can be found
     */
    public static RemoteDstackClient fromConfig() {
        return builder().fromConfig(null).build();
    }

    /** A client for {@code projectName} as configured in {@code ~/.dstack/config.yml}; see {@link #fromConfig()}. */
    public static RemoteDstackClient fromConfig(String projectName) {
        return builder().fromConfig(projectName).build();
    }

    /** The server's base URL. */
    public String serverUrl() {
        return transport.serverUrl();
    }

    @Override
    public Optional<String> defaultProjectName() {
        return Optional.ofNullable(defaultProject);
    }

    // ---------------------------------------------------------------- server and users

    @Override
    public ServerInfo serverInfo() {
        return call(Endpoint.read("api", "server", "get_info"), null, ServerInfo.class);
    }

    @Override
    public UserWithCreds me() {
        return call(Endpoint.read("api", "users", "get_my_user"), null, UserWithCreds.class);
    }

    @Override
    public List<User> listUsers(UserQuery query) {
        Endpoint endpoint = Endpoint.read("api", "users", "list");
        return WireJson.readListOrWrapped(post(endpoint, RequestBodies.listUsers(query)), User.class, "users", endpoint,
                serverUrl());
    }

    @Override
    public User createUser(NewUser user) {
        return call(Endpoint.write("api", "users", "create"), RequestBodies.createUser(user), User.class);
    }

    @Override
    public UserWithCreds refreshToken(String username) {
        ObjectNode body = WireJson.object().put("username", requireName(username, "username"));
        return call(Endpoint.write("api", "users", "refresh_token"), body, UserWithCreds.class);
    }

    // ---------------------------------------------------------------- projects

    @Override
    public List<Project> listProjects(ProjectQuery query) {
        Endpoint endpoint = Endpoint.read("api", "projects", "list");
        return WireJson.readListOrWrapped(post(endpoint, RequestBodies.listProjects(query)), Project.class, "projects",
                endpoint, serverUrl());
    }

    @Override
    public Project getProject(String project) {
        return call(projects(project, true, "get"), null, Project.class);
    }

    @Override
    public Project createProject(String project, boolean isPublic) {
        ObjectNode body = WireJson.object().put("project_name", requireName(project, "project")).put("is_public", isPublic);
        return call(Endpoint.write("api", "projects", "create"), body, Project.class);
    }

    @Override
    public void deleteProjects(List<String> projects) {
        post(Endpoint.write("api", "projects", "delete"), RequestBodies.names("projects_names", projects));
    }

    @Override
    public Project addMembers(String project, List<MemberSetting> members) {
        return call(projects(project, false, "add_members"), RequestBodies.members(members), Project.class);
    }

    @Override
    public Project setMembers(String project, List<MemberSetting> members) {
        return call(projects(project, false, "set_members"), RequestBodies.members(members), Project.class);
    }

    @Override
    public Project removeMembers(String project, List<String> usernames) {
        return call(projects(project, false, "remove_members"), RequestBodies.names("usernames", usernames), Project.class);
    }

    @Override
    public Project updateProject(String project, Boolean isPublic) {
        ObjectNode body = WireJson.object();
        if (isPublic == null) {
            body.putNull("is_public");
        } else {
            body.put("is_public", isPublic);
        }
        body.putNull("templates_repo");
        body.put("reset_templates_repo", false);
        return call(projects(project, false, "update"), body, Project.class);
    }

    // ---------------------------------------------------------------- the caller's SSH public keys

    @Override
    public List<PublicKeyInfo> listPublicKeys() {
        Endpoint endpoint = Endpoint.read("api", "users", "public_keys", "list");
        return WireJson.readList(post(endpoint, null), PublicKeyInfo.class, endpoint, serverUrl());
    }

    @Override
    public PublicKeyInfo addPublicKey(String key, String name) {
        ObjectNode body = WireJson.object().put("key", requireName(key, "key")).put("name", name);
        return call(Endpoint.write("api", "users", "public_keys", "add"), body, PublicKeyInfo.class);
    }

    @Override
    public void deletePublicKeys(List<UUID> ids) {
        ObjectNode body = WireJson.object();
        com.fasterxml.jackson.databind.node.ArrayNode array = body.putArray("ids");
        Objects.requireNonNull(ids, "ids is null").forEach(id -> array.add(id.toString()));
        post(Endpoint.write("api", "users", "public_keys", "delete"), body);
    }

    // ---------------------------------------------------------------- repos

    @Override
    public void initRepo(String project, String repoId, RepoInfo info, RemoteRepoCreds creds) {
        ObjectNode body = WireJson.object().put("repo_id", requireName(repoId, "repoId"));
        body.set("repo_info", WireJson.tree(Objects.requireNonNull(info, "info is null")));
        body.set("repo_creds", creds == null ? body.nullNode() : WireJson.tree(creds));
        post(Endpoint.project(project, true, "repos", "init"), body);
    }

    // ---------------------------------------------------------------- uploads

    @Override
    public FileArchive uploadArchive(byte[] tar) {
        Objects.requireNonNull(tar, "tar is null");
        // Idempotent: the server keeps one archive per hash, so a repeated upload is harmless.
        Endpoint endpoint = Endpoint.read("api", "files", "upload_archive");
        return WireJson.read(transport.postFile(endpoint, java.util.Map.of(), Hashes.sha256(tar), tar), FileArchive.class,
                endpoint, serverUrl());
    }

    @Override
    public FileArchive getArchiveByHash(String hash) {
        ObjectNode body = WireJson.object().put("hash", requireName(hash, "hash"));
        return call(Endpoint.read("api", "files", "get_archive_by_hash"), body, FileArchive.class);
    }

    @Override
    public String uploadCode(String project, String repoId, byte[] code) {
        Objects.requireNonNull(code, "code is null");
        String hash = Hashes.sha256(code);
        transport.postFile(Endpoint.project(project, true, "repos", "upload_code"),
                java.util.Map.of("repo_id", requireName(repoId, "repoId")), hash, code);
        return hash;
    }

    // ---------------------------------------------------------------- runs

    @Override
    public List<Run> listRuns(RunQuery query) {
        Endpoint endpoint = Endpoint.read("api", "runs", "list");
        return WireJson.readList(post(endpoint, RequestBodies.listRuns(query)), Run.class, endpoint, serverUrl());
    }

    @Override
    public Run getRun(String project, String runName) {
        ObjectNode body = WireJson.object().put("run_name", requireName(runName, "runName")).putNull("id");
        return call(Endpoint.project(project, true, "runs", "get"), body, Run.class);
    }

    @Override
    public Run getRun(String project, UUID runId) {
        Objects.requireNonNull(runId, "runId is null");
        ObjectNode body = WireJson.object().putNull("run_name").put("id", runId.toString());
        return call(Endpoint.project(project, true, "runs", "get"), body, Run.class);
    }

    @Override
    public RunPlan getRunPlan(String project, RunPlanRequest request) {
        return call(Endpoint.project(project, true, "runs", "get_plan"), RequestBodies.runPlan(request), RunPlan.class);
    }

    @Override
    public Run applyRun(String project, ApplyRunRequest request) {
        return call(Endpoint.project(project, false, "runs", "apply"), RequestBodies.applyRun(request), Run.class);
    }

    @Override
    public void stopRuns(String project, List<String> runNames, boolean abort) {
        post(Endpoint.project(project, false, "runs", "stop"), RequestBodies.names("runs_names", runNames).put("abort", abort));
    }

    @Override
    public void deleteRuns(String project, List<String> runNames) {
        post(Endpoint.project(project, false, "runs", "delete"), RequestBodies.names("runs_names", runNames));
    }

    @Override
    public ai.dstack.api.metrics.JobMetrics getJobMetrics(String project, String runName, int replicaNum, int jobNum,
            int limit) {
        Endpoint endpoint = Endpoint.project(project, true, "metrics", "job", requireName(runName, "runName"));
        java.util.Map<String, String> query = new java.util.LinkedHashMap<>();
        query.put("replica_num", Integer.toString(replicaNum));
        query.put("job_num", Integer.toString(jobNum));
        query.put("limit", Integer.toString(limit));
        return WireJson.read(transport.get(endpoint, query), ai.dstack.api.metrics.JobMetrics.class, endpoint, serverUrl());
    }

    @Override
    public List<ai.dstack.api.event.Event> listEvents(ai.dstack.api.event.ListEventsRequest request) {
        Objects.requireNonNull(request, "request is null");
        Endpoint endpoint = Endpoint.read("api", "events", "list");
        return WireJson.readList(post(endpoint, WireJson.tree(request)), ai.dstack.api.event.Event.class, endpoint,
                serverUrl());
    }

    @Override
    public JobSubmissionLogs pollLogs(String project, PollLogsRequest request) {
        return call(Endpoint.project(project, true, "logs", "poll"), WireJson.tree(request), JobSubmissionLogs.class);
    }

    @Override
    public List<ai.dstack.api.offer.GpuGroup> listGpus(String project, ListGpusRequest request) {
        Objects.requireNonNull(request, "request is null");
        Endpoint endpoint = Endpoint.project(project, true, "gpus", "list");
        ObjectNode body = WireJson.object();
        body.set("run_spec", ai.dstack.client.internal.RequestCompat.runSpec(WireJson.tree(request.runSpec())));
        body.set("group_by", WireJson.tree(request.groupBy()));
        return WireJson.readListOrWrapped(post(endpoint, body), ai.dstack.api.offer.GpuGroup.class, "gpus", endpoint,
                serverUrl());
    }

    // ---------------------------------------------------------------- fleets and instances

    @Override
    public List<Fleet> listFleets(String project, boolean includeImported) {
        Endpoint endpoint = Endpoint.project(project, true, "fleets", "list");
        ObjectNode body = WireJson.object().put("include_imported", includeImported);
        return WireJson.readList(post(endpoint, body), Fleet.class, endpoint, serverUrl());
    }

    @Override
    public Fleet getFleet(String project, String fleetName) {
        ObjectNode body = WireJson.object().put("name", requireName(fleetName, "fleetName")).putNull("id");
        return call(Endpoint.project(project, true, "fleets", "get"), body, Fleet.class);
    }

    @Override
    public FleetPlan getFleetPlan(String project, FleetSpec spec) {
        Objects.requireNonNull(spec, "spec is null");
        return call(Endpoint.project(project, true, "fleets", "get_plan"), RequestBodies.fleetPlan(spec), FleetPlan.class);
    }

    @Override
    public Fleet applyFleet(String project, ApplyFleetRequest request) {
        return call(Endpoint.project(project, false, "fleets", "apply"), RequestBodies.applyFleet(request), Fleet.class);
    }

    @Override
    public void deleteFleets(String project, List<String> fleetNames) {
        post(Endpoint.project(project, false, "fleets", "delete"), RequestBodies.names("names", fleetNames));
    }

    @Override
    public List<ai.dstack.api.volume.Volume> listVolumes(String project) {
        Endpoint endpoint = Endpoint.project(project, true, "volumes", "list");
        return WireJson.readList(post(endpoint, null), ai.dstack.api.volume.Volume.class, endpoint, serverUrl());
    }

    @Override
    public ai.dstack.api.volume.Volume getVolume(String project, String name) {
        ObjectNode body = WireJson.object().put("name", requireName(name, "name"));
        return call(Endpoint.project(project, true, "volumes", "get"), body, ai.dstack.api.volume.Volume.class);
    }

    @Override
    public ai.dstack.api.volume.Volume createVolume(String project,
            ai.dstack.api.configuration.VolumeConfiguration configuration) {
        Objects.requireNonNull(configuration, "configuration is null");
        ObjectNode body = WireJson.object();
        body.set("configuration", ai.dstack.api.yaml.DstackYaml.toJsonTree(configuration));
        return call(Endpoint.project(project, false, "volumes", "create"), body, ai.dstack.api.volume.Volume.class);
    }

    @Override
    public void deleteVolumes(String project, List<String> names) {
        post(Endpoint.project(project, false, "volumes", "delete"), RequestBodies.names("names", names));
    }

    @Override
    public List<Instance> listInstances(InstanceQuery query) {
        Endpoint endpoint = Endpoint.read("api", "instances", "list");
        return WireJson.readList(post(endpoint, RequestBodies.listInstances(query)), Instance.class, endpoint, serverUrl());
    }

    // ---------------------------------------------------------------- secrets

    @Override
    public List<Secret> listSecrets(String project) {
        Endpoint endpoint = Endpoint.project(project, true, "secrets", "list");
        return WireJson.readList(post(endpoint, null), Secret.class, endpoint, serverUrl());
    }

    @Override
    public Secret getSecret(String project, String name) {
        ObjectNode body = WireJson.object().put("name", requireName(name, "name"));
        return call(Endpoint.project(project, true, "secrets", "get"), body, Secret.class);
    }

    @Override
    public Secret setSecret(String project, String name, String value) {
        ObjectNode body = WireJson.object()
                .put("name", requireName(name, "name"))
                .put("value", Objects.requireNonNull(value, "value is null"));
        return call(Endpoint.project(project, false, "secrets", "create_or_update"), body, Secret.class);
    }

    @Override
    public void deleteSecrets(String project, List<String> names) {
        post(Endpoint.project(project, false, "secrets", "delete"), RequestBodies.names("secrets_names", names));
    }

    // ---------------------------------------------------------------- plumbing

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "RemoteDstackClient[" + serverUrl() + (defaultProject == null ? "" : ", project " + defaultProject) + "]";
    }

    /** {@code api/projects/<p>/...}: dstack's projects router uses the plural, every other project router the singular. */
    private static Endpoint projects(String project, boolean idempotent, String action) {
        Objects.requireNonNull(project, "project is null");
        return new Endpoint(List.of("api", "projects", project, action), idempotent);
    }

    private <T> T call(Endpoint endpoint, JsonNode body, Class<T> replyType) {
        return WireJson.read(post(endpoint, body), replyType, endpoint, serverUrl());
    }

    private byte[] post(Endpoint endpoint, JsonNode body) {
        return transport.post(endpoint, body == null ? null : WireJson.bytes(body));
    }

    private static String requireName(String value, String what) {
        return Objects.requireNonNull(value, what + " is null");
    }

    /**
     * Builds a {@link RemoteDstackClient}. Only the URL is required; a server without a token answers only
     * {@link #serverInfo()}.
     */
    public static final class Builder {
        private String url;
        private String token;
        private String defaultProject;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofMinutes(2);
        private Duration callTimeout = Duration.ZERO;
        private int maxAttempts = 3;
        private Duration retryInterval = Duration.ofSeconds(1);
        private String apiVersion = DEFAULT_API_VERSION;
        private OkHttpClient okHttpClient;

        private Builder() {}

        /** The server's base URL, e.g. {@code http://127.0.0.1:3000}; a path prefix is kept. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** The user's API token, sent as {@code Authorization: Bearer <token>}. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** The project {@link DstackClient#project()} uses. */
        public Builder defaultProject(String defaultProject) {
            this.defaultProject = defaultProject;
            return this;
        }

        /**
         * Takes URL, token and project from the environment and {@code ~/.dstack/config.yml} as
         * {@link RemoteDstackClient#fromConfig(String)} describes.
         *
         * @param projectName null for {@code DSTACK_PROJECT} or the configured default
         */
        public Builder fromConfig(String projectName) {
            return settings(ConfigResolver.resolve(projectName, System.getenv(), DstackConfig.defaultFile()));
        }

        /** Takes URL, token and project from an entry of a {@link DstackConfig}. */
        public Builder project(ProjectConfig project) {
            return url(project.url()).token(project.token()).defaultProject(project.name());
        }

        private Builder settings(ConfigResolver.Settings settings) {
            if (settings.apiVersion() != null) {
                apiVersion(settings.apiVersion());
            }
            return url(settings.url()).token(settings.token()).defaultProject(settings.project());
        }

        /** How long to wait for a connection; 10 s by default. Zero means no limit. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = checkTimeout(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How long to wait for the server between bytes of a reply (and of a request); 2 min by default, since
         * planning a run asks every backend for offers. Zero means no limit.
         */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = checkTimeout(readTimeout, "readTimeout");
            return this;
        }

        /** How long one attempt of a call may take in all; no limit by default. Zero means no limit. */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = checkTimeout(callTimeout, "callTimeout");
            return this;
        }

        /**
         * How many times to try a call whose connection fails (3 by default, as dstack's client). 1 turns retries
         * off. A call that changes something is only repeated when the server cannot have seen it.
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** How long to wait before trying again; 1 s by default, as dstack's client. */
        public Builder retryInterval(Duration retryInterval) {
            this.retryInterval = checkTimeout(retryInterval, "retryInterval");
            return this;
        }

        /** The {@code X-API-VERSION} to send; {@value #DEFAULT_API_VERSION} by default; {@code 0.0.0} skips the server's version check. */
        public Builder apiVersion(String apiVersion) {
            this.apiVersion = Objects.requireNonNull(apiVersion, "apiVersion is null");
            return this;
        }

        /**
         * An OkHttp client to share its connection pool and threads, or to set proxies, TLS or DNS. The timeouts
         * of this builder still apply; {@link #close()} then leaves the shared pool alone.
         */
        public Builder okHttpClient(OkHttpClient okHttpClient) {
            this.okHttpClient = okHttpClient;
            return this;
        }

        /**
         * @throws DstackException with {@link ErrorCode#INVALID_REQUEST} when the URL is missing or not http(s)
         */
        public RemoteDstackClient build() {
            HttpUrl baseUrl = parseUrl(url);
            boolean owned = okHttpClient == null;
            OkHttpClient http = (owned ? new OkHttpClient.Builder() : okHttpClient.newBuilder())
                    .connectTimeout(connectTimeout)
                    .readTimeout(readTimeout)
                    .writeTimeout(readTimeout)
                    .callTimeout(callTimeout)
                    .build();
            HttpTransport transport = new HttpTransport(baseUrl, token, apiVersion, http, owned, maxAttempts, retryInterval);
            LOG.debug("dstack client for {} (project {}, API version {}, connect timeout {}, read timeout {}, "
                            + "call timeout {}, {} attempts {} apart)", transport.serverUrl(), defaultProject, apiVersion,
                    connectTimeout, readTimeout, callTimeout, maxAttempts, retryInterval);
            return new RemoteDstackClient(transport, defaultProject);
        }

        private static HttpUrl parseUrl(String url) {
            if (url == null || url.isBlank()) {
                throw new DstackException(ErrorCode.INVALID_REQUEST, "The dstack server URL is not set");
            }
            HttpUrl parsed = HttpUrl.parse(url.strip());
            if (parsed == null) {
                throw new DstackException(ErrorCode.INVALID_REQUEST, "Invalid dstack server URL '" + url
                        + "': expected http://host:port or https://host");
            }
            return parsed;
        }

        private static Duration checkTimeout(Duration value, String name) {
            Objects.requireNonNull(value, name + " is null");
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " < 0: " + value);
            }
            return value;
        }
    }
}
