package ai.dstack.core.app;

import ai.dstack.api.files.FileArchive;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.offer.GpuGroup;
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
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * dstack's operations for a caller: each method checks the caller's permission for its {@link Operation} (in
 * dstack's order: the project, 404 {@link ai.dstack.api.ErrorCode#NOT_FOUND}, then the role,
 * {@link PermissionDenied}), validates its arguments and returns dstack-api types. Errors are
 * {@link ai.dstack.api.DstackException}s with the code a dstack server sends for the same call; a failure of the
 * engine itself is {@link ai.dstack.api.ErrorCode#INTERNAL} with its cause.
 *
 * <p>Operations that need nothing ({@link Need#NOTHING}) take no caller. Thread-safe.
 */
public interface DstackApp {

    // ---------------------------------------------------------------- callers

    /** The active user whose token this is, or {@link PermissionDenied} "Invalid token". */
    Caller authenticate(String token);

    /**
     * Checks that {@code caller} may do {@code operation} in {@code projectName} (null for operations without a
     * project), as the operation itself checks it: for adapters that must answer 404/403 before they read a body.
     */
    void authorize(Caller caller, Operation operation, String projectName);

    // ---------------------------------------------------------------- server

    /** The dstack release whose API the engine implements. */
    ServerInfo serverInfo();

    /** The backend types a project may configure ({@code backends/list_types}). */
    List<String> backendTypes();

    // ---------------------------------------------------------------- users and their keys

    /** All users for a global admin, only the caller otherwise; {@code withTotal} fills {@code total_count}. */
    UsersInfoList listUsers(Caller caller, UserQuery query, boolean withTotal);

    UserWithCreds me(Caller caller);

    /** A user with credentials, for a global admin or the user itself. */
    UserWithCreds getUser(Caller caller, String username);

    User createUser(Caller caller, NewUser user);

    User updateUser(Caller caller, NewUser user);

    UserWithCreds refreshToken(Caller caller, String username);

    UserWithCreds refreshSshKey(Caller caller, String username);

    void deleteUsers(Caller caller, List<String> usernames);

    List<PublicKeyInfo> listPublicKeys(Caller caller);

    PublicKeyInfo addPublicKey(Caller caller, String key, String name);

    void deletePublicKeys(Caller caller, List<UUID> ids);

    // ---------------------------------------------------------------- projects

    ProjectsInfoList listProjects(Caller caller, ProjectQuery query, boolean withTotal);

    /** The caller's member projects without an active fleet ({@code projects/list_only_no_fleets}). */
    List<Project> listProjectsWithoutFleets(Caller caller);

    Project createProject(Caller caller, String project, boolean isPublic);

    void deleteProjects(Caller caller, List<String> projects);

    Project getProject(Caller caller, String project);

    /** @param isPublic null leaves visibility as it is */
    Project updateProject(Caller caller, String project, Boolean isPublic, String templatesRepo);

    Project setMembers(Caller caller, String project, List<MemberSetting> members);

    Project addMembers(Caller caller, String project, List<MemberSetting> members);

    Project removeMembers(Caller caller, String project, List<String> usernames);

    // ---------------------------------------------------------------- runs, logs, offers

    /** Runs of the projects the caller sees (all for a global admin, its memberships otherwise). */
    List<Run> listRuns(Caller caller, RunQuery query);

    /** A run by name (deleted ones excluded) or, when {@code runName} is null, by id. */
    Run getRun(Caller caller, String project, String runName, UUID runId);

    RunPlan getRunPlan(Caller caller, String project, RunPlanRequest request);

    Run applyRun(Caller caller, String project, ApplyRunRequest request);

    void stopRuns(Caller caller, String project, List<String> runNames, boolean abort);

    void deleteRuns(Caller caller, String project, List<String> runNames);

    JobSubmissionLogs pollLogs(Caller caller, String project, PollLogsRequest request);

    /** The GPUs of the offers a run spec gets, grouped as asked. */
    List<GpuGroup> listGpus(Caller caller, String project, ListGpusRequest request);

    // ---------------------------------------------------------------- secrets

    List<Secret> listSecrets(Caller caller, String project);

    Secret getSecret(Caller caller, String project, String name);

    Secret setSecret(Caller caller, String project, String name, String value);

    void deleteSecrets(Caller caller, String project, List<String> names);

    // ---------------------------------------------------------------- repos and uploads

    List<RepoHead> listRepos(Caller caller, String project);

    RepoHeadWithCreds getRepo(Caller caller, String project, String repoId, boolean includeCreds);

    void initRepo(Caller caller, String project, String repoId, RepoInfo info, RemoteRepoCreds creds);

    void deleteRepos(Caller caller, String project, List<String> repoIds);

    /** Stores a repo's code under {@code hash} (dstack's clients send its sha256 as the file name). */
    void uploadCode(Caller caller, String project, String repoId, String hash, byte[] code);

    FileArchive uploadArchive(Caller caller, String hash, byte[] tar);

    FileArchive getArchiveByHash(Caller caller, String hash);

    // ---------------------------------------------------------------- fleets and instances

    /** {@code fleets/list} across the projects the caller sees; {@code projectName} null for all of them. */
    List<Fleet> listAllFleets(Caller caller, String projectName, boolean onlyActive, Instant prevCreatedAt, UUID prevId,
            int limit, boolean ascending);

    List<Fleet> listFleets(Caller caller, String project);

    /** A fleet by name or, when {@code name} is null, by id. */
    Fleet getFleet(Caller caller, String project, String name, UUID id);

    FleetPlan getFleetPlan(Caller caller, String project, FleetSpec spec);

    Fleet applyFleet(Caller caller, String project, ApplyFleetRequest request);

    void deleteFleets(Caller caller, String project, List<String> names);

    void deleteFleetInstances(Caller caller, String project, String fleetName, List<Integer> instanceNums);

    List<Instance> listInstances(Caller caller, InstanceQuery query);

    Instance getInstance(Caller caller, String project, UUID id);

    /** No health checks are recorded yet: always empty. */
    List<JsonNode> instanceHealthChecks(Caller caller, String project, String fleetName, int instanceNum);

    // ---------------------------------------------------------------- backend configurations

    /** Creates a backend from dstack's JSON configuration; returns it with credentials. */
    ObjectNode createBackend(Caller caller, String project, JsonNode config);

    ObjectNode updateBackend(Caller caller, String project, JsonNode config);

    /** Creates a backend from config.yml's YAML form. */
    void createBackendYaml(Caller caller, String project, String yaml);

    void updateBackendYaml(Caller caller, String project, String yaml);

    void deleteBackends(Caller caller, String project, List<String> types);

    /** A backend's configuration with credentials. */
    ObjectNode backendConfig(Caller caller, String project, String type);

    /** A backend's configuration as config.yml's YAML. */
    String backendYaml(Caller caller, String project, String type);

    // ---------------------------------------------------------------- features with nothing behind them yet

    /** The volumes of the caller's projects (or of {@code projectName}), newest first, at most 100. */
    List<JsonNode> listAllVolumes(Caller caller, String projectName);

    /**
     * dstack's {@code /api/volumes/list}: ordered by creation time (newest first unless {@code ascending}), the page
     * after {@code prevCreatedAt}/{@code prevId} when given, {@code limit} 0..100.
     */
    List<JsonNode> listAllVolumes(Caller caller, String projectName, boolean onlyActive, java.time.Instant prevCreatedAt,
            UUID prevId, int limit, boolean ascending);

    /** The project's volumes that are not deleted, as dstack's Volume JSON. */
    List<JsonNode> listVolumes(Caller caller, String project);

    /** A volume by name; {@link ai.dstack.api.ErrorCode#RESOURCE_NOT_EXISTS} when there is none. */
    JsonNode getVolume(Caller caller, String project, String name);

    /**
     * Creates a volume from dstack's VolumeConfiguration JSON: status {@code submitted}, then provisioned by the
     * project's backend. Fields this server cannot honour are refused by name.
     */
    JsonNode createVolume(Caller caller, String project, JsonNode configuration);

    /** Marks volumes to be deleted (none if one is attached: "in use"); unknown names are skipped, as in dstack. */
    void deleteVolumes(Caller caller, String project, List<String> names);

    List<JsonNode> listExports(Caller caller, String project);

    /** Creating or updating an export: always refused. */
    JsonNode changeExport(Caller caller, String project);

    void deleteExport(Caller caller, String project, String name);

    List<JsonNode> listImports(Caller caller, String project);

    void deleteImport(Caller caller, String project, String exportName, String exportProjectName);

    List<JsonNode> listTemplates(Caller caller, String project);

    /** dstack's {@code events/list}: what happened, filtered to the projects and users the caller may see. */
    List<ai.dstack.api.event.Event> listEvents(Caller caller, ai.dstack.api.event.ListEventsRequest request);

    /**
     * A job's newest {@code limit} metrics samples (dstack's {@code metrics/job/{run_name}}).
     *
     * @param runId picks the run by id when given (the name must still match); may be null
     * @param after only samples taken after this, or null
     * @param before only samples taken before this, or null
     */
    ai.dstack.api.metrics.JobMetrics getJobMetrics(Caller caller, String project, String runName, UUID runId,
            int replicaNum, int jobNum, int limit, Instant after, Instant before);
}
