package ai.dstack.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.offer.GpuGroup;
import ai.dstack.api.project.Project;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.secret.Secret;
import ai.dstack.api.server.ServerInfo;
import ai.dstack.api.files.FileArchive;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.user.PublicKeyInfo;
import ai.dstack.api.user.User;
import ai.dstack.api.user.UserWithCreds;
import ai.dstack.client.internal.LogFollower;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Working with dstack: projects, runs and their logs, fleets, instances, secrets and users. The same interface
 * talks to a dstack server over HTTP ({@link RemoteDstackClient}) or to an engine running in this JVM, so an
 * application picks one by configuration ({@link Dstack#connect(java.util.Map)}) and codes against this type only.
 *
 * <h2>Projects</h2>
 * Every project-scoped method takes the project name as its first argument, so one client serves every project
 * the token can reach and an implementation has one flat interface to provide. For code that works in one
 * project, {@link #project(String)} binds the name once:
 * <pre>{@code
 * try (DstackClient client = Dstack.fromConfig()) {
 *     DstackProject main = client.project("main");      // or client.project() for the configured default
 *     RunPlan plan = main.getRunPlan(spec);
 *     Run run = main.applyRun(ApplyRunRequest.of(plan));
 *     main.followLogs(run.runSpec().runName(), event -> System.out.print(new String(event.messageBytes(), UTF_8)));
 * }
 * }</pre>
 *
 * <h2>Errors</h2>
 * Every method throws {@link DstackException} with dstack's {@link ErrorCode}: e.g. a missing run is
 * {@link ErrorCode#RESOURCE_NOT_EXISTS} ("Run not found"), a bad token {@link ErrorCode#FORBIDDEN}. A remote client
 * throws the subclasses {@link DstackApiException} (the server answered with an error) and
 * {@link DstackConnectionException} (it could not be reached or did not answer).
 *
 * <h2>Threads and lifecycle</h2>
 * Implementations are safe for concurrent use; share one instance. {@link #close()} releases its connections or
 * engine; calls after that fail with {@link IllegalStateException}. Request and reply types are immutable.
 */
public interface DstackClient extends AutoCloseable {

    // ---------------------------------------------------------------- projects in scope

    /** The project this client was set up for (e.g. the default one in {@code ~/.dstack/config.yml}), if any. */
    Optional<String> defaultProjectName();

    /** A view of the default project. */
    default DstackProject project() {
        return project(defaultProjectName().orElseThrow(() -> new DstackException(ErrorCode.INVALID_REQUEST,
                "No default project: this client was created without one. Pass a project name to project(name).")));
    }

    /** A view of the project {@code name}, binding it for project-scoped calls. Does not check that it exists. */
    default DstackProject project(String name) {
        return new DstackProject(this, name);
    }

    // ---------------------------------------------------------------- server

    /** The server's version ({@code server/get_info}); needs no token. */
    ServerInfo serverInfo();

    // ---------------------------------------------------------------- users

    /** The caller, with its token and SSH key pair ({@code users/get_my_user}). */
    UserWithCreds me();

    /** The users the caller may see: all for a global admin, only the caller otherwise. */
    List<User> listUsers(UserQuery query);

    default List<User> listUsers() {
        return listUsers(UserQuery.all());
    }

    /** Creates a user (global admins only); {@link ErrorCode#RESOURCE_EXISTS} if the name is taken. */
    User createUser(NewUser user);

    /** Gives a user a new token, invalidating the old one at once (the caller itself, or any user for an admin). */
    UserWithCreds refreshToken(String username);

    // ---------------------------------------------------------------- projects

    /** Projects the caller may see, without members and backends. */
    List<Project> listProjects(ProjectQuery query);

    default List<Project> listProjects() {
        return listProjects(ProjectQuery.all());
    }

    /** A project with its members and backends; {@link ErrorCode#NOT_FOUND} if there is none of that name. */
    Project getProject(String project);

    /** Creates a project with the caller as its admin; {@link ErrorCode#RESOURCE_EXISTS} if the name is taken. */
    Project createProject(String project, boolean isPublic);

    /** Deletes projects; refused if any of them has active runs, fleets or volumes, or does not exist. */
    void deleteProjects(List<String> projects);

    /** Adds members or changes their roles; other members stay. */
    Project addMembers(String project, List<MemberSetting> members);

    /** Replaces all members of a project. */
    Project setMembers(String project, List<MemberSetting> members);

    /** Removes members; a member may always remove itself unless it is the last admin. */
    Project removeMembers(String project, List<String> usernames);

    /**
     * Changes a project's settings (project admins): {@code isPublic} null leaves visibility as it is.
     */
    Project updateProject(String project, Boolean isPublic);

    // ---------------------------------------------------------------- the caller's SSH public keys

    /** The SSH public keys the caller added to its account, newest first. */
    List<PublicKeyInfo> listPublicKeys();

    /**
     * Adds an SSH public key in OpenSSH's one-line format ({@code ssh-ed25519 AAAA... comment}).
     *
     * @param name null for the key's comment (or, without one, the key's md5)
     * @throws DstackException {@link ErrorCode#RESOURCE_EXISTS} if the caller has this key already
     */
    PublicKeyInfo addPublicKey(String key, String name);

    /** Deletes the caller's keys with these ids; unknown ids are ignored. */
    void deletePublicKeys(List<UUID> ids);

    // ---------------------------------------------------------------- repos

    /**
     * Creates or updates a repo of the project ({@code repos/init}); for a remote repo it stores the caller's
     * credentials, or removes them when {@code creds} is null.
     */
    void initRepo(String project, String repoId, RepoInfo info, RemoteRepoCreds creds);

    // ---------------------------------------------------------------- uploads

    /**
     * Uploads a tar archive for a configuration's {@code files:} ({@code files/upload_archive}); an archive with
     * the same content is stored once. Refer to it in {@code RunSpec.fileArchives} by the returned id. {@link TarWriter}
     * writes the archive as dstack's CLI does.
     */
    FileArchive uploadArchive(byte[] tar);

    /** The caller's archive with this sha256; {@link ErrorCode#RESOURCE_NOT_EXISTS} if there is none. */
    FileArchive getArchiveByHash(String hash);

    /**
     * Uploads a repo's code ({@code repos/upload_code}): for a virtual or local repo a tar archive unpacked into the
     * job's repo directory. Returns its sha256, the run spec's {@code repo_code_hash}.
     *
     * @throws DstackException {@link ErrorCode#REPO_DOES_NOT_EXIST} if the project has no such repo
     */
    String uploadCode(String project, String repoId, byte[] code);

    // ---------------------------------------------------------------- runs

    /** Runs, newest first; see {@link RunQuery} for filters and paging. */
    List<Run> listRuns(RunQuery query);

    /** A run by name (deleted runs excluded); {@link ErrorCode#RESOURCE_NOT_EXISTS} if there is none. */
    Run getRun(String project, String runName);

    /** A run by id (deleted runs included); {@link ErrorCode#RESOURCE_NOT_EXISTS} if there is none. */
    Run getRun(String project, UUID runId);

    /** What applying a spec would do: the effective spec, offers per job, and create or update. */
    RunPlan getRunPlan(String project, RunPlanRequest request);

    default RunPlan getRunPlan(String project, RunSpec runSpec) {
        return getRunPlan(project, RunPlanRequest.of(runSpec));
    }

    /** Submits a new run or updates an active one in place; returns the run as stored. */
    Run applyRun(String project, ApplyRunRequest request);

    /**
     * Submits a configuration as it is (no plan asked first), as {@code dstack apply -y} would; the run gets a random
     * name unless the configuration has one.
     */
    default Run applyRun(String project, RunConfiguration configuration) {
        return applyRun(project, ApplyRunRequest.of(RunSpec.newBuilder().configuration(configuration).build()));
    }

    /** {@link #applyRun(String, RunConfiguration)} in the default project. */
    default Run applyRun(RunConfiguration configuration) {
        return applyRun(project().name(), configuration);
    }

    /**
     * Waits until the run is finished (done, failed or terminated) and returns it, looking again at most twice a
     * second.
     *
     * @throws DstackException {@link ErrorCode#ERROR} when the run is still active after {@code timeout}, or when the
     *     thread is interrupted (its interrupt flag is then set again)
     */
    default Run awaitFinished(String project, String runName, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 20;
        while (true) {
            Run run = getRun(project, runName);
            if (run.status().isFinished()) {
                return run;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new DstackException(ErrorCode.ERROR, "Run " + runName + " is still " + run.status().wireValue()
                        + " after " + timeout);
            }
            try {
                Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DstackException(ErrorCode.ERROR, "Interrupted while waiting for run " + runName, e);
            }
            pause = Math.min(500, pause * 2);
        }
    }

    /** {@link #awaitFinished(String, String, Duration)} in the default project. */
    default Run awaitFinished(String runName, Duration timeout) {
        return awaitFinished(project().name(), runName, timeout);
    }

    /**
     * Asks runs to stop; unknown and finished names are ignored.
     *
     * @param abort stop at once, without the graceful stop period
     */
    void stopRuns(String project, List<String> runNames, boolean abort);

    /** Deletes finished runs; refused if any of them is still active. */
    void deleteRuns(String project, List<String> runNames);

    // ---------------------------------------------------------------- metrics and events

    /**
     * The newest {@code limit} samples of a job's CPU, memory and GPU usage (dstack's
     * {@code GET metrics/job/{run_name}}), newest first.
     *
     * @throws DstackException {@code RESOURCE_NOT_EXISTS} for an unknown run, {@code ERROR} ("Found no job with given
     *     parameters") for an unknown replica or job number
     */
    ai.dstack.api.metrics.JobMetrics getJobMetrics(String project, String runName, int replicaNum, int jobNum, int limit);

    /** The events the caller may see (all for an admin; else about their projects and themselves), one page. */
    List<ai.dstack.api.event.Event> listEvents(ai.dstack.api.event.ListEventsRequest request);

    // ---------------------------------------------------------------- logs

    /** One page of a job submission's logs; pass {@link JobSubmissionLogs#nextToken()} back for the next. */
    JobSubmissionLogs pollLogs(String project, PollLogsRequest request);

    /**
     * The first page (up to {@link PollLogsRequest#MAX_LIMIT} events, oldest first) of the logs of the run's first
     * job, its newest submission.
     *
     * @throws DstackException {@link ErrorCode#RESOURCE_NOT_EXISTS} if the run does not exist or has no job yet
     */
    default JobSubmissionLogs pollLogs(String project, String runName) {
        Run run = getRun(project, runName);
        if (run.latestJobSubmission() == null) {
            throw new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Run " + runName + " has no jobs");
        }
        return pollLogs(project, PollLogsRequest.newBuilder(runName, run.latestJobSubmission().id())
                .limit(PollLogsRequest.MAX_LIMIT).build());
    }

    /**
     * Hands a job's logs to {@code sink} as they come, until the run finishes, and returns the finished run.
     *
     * <p>It polls {@code logs/poll} page by page with {@code next_token}; once caught up, it waits
     * {@link FollowLogsRequest#pollInterval()} and asks again for logs after the last one seen. When the job is
     * resubmitted (retried), it switches to the new submission's logs. It returns after the logs written before the
     * run finished are delivered. Events are delivered on the calling thread, in order.
     *
     * @throws DstackException with {@link ErrorCode#RESOURCE_NOT_EXISTS} if the run or the requested job does not exist
     * @throws InterruptedException if the thread is interrupted while waiting for more logs
     */
    default Run followLogs(String project, FollowLogsRequest request, Consumer<? super LogEvent> sink)
            throws InterruptedException {
        return new LogFollower(this, project, request, sink).follow();
    }

    /** Follows the output of job 0 of replica 0 of a run of the default project until it finishes. */
    default Run followLogs(String runName, Consumer<? super LogEvent> sink) throws InterruptedException {
        return followLogs(project().name(), FollowLogsRequest.of(runName), sink);
    }

    // ---------------------------------------------------------------- offers

    /** The GPUs of the offers a run spec gets, one group per GPU type and the groupings asked ({@code gpus/list}). */
    List<GpuGroup> listGpus(String project, ListGpusRequest request);

    // ---------------------------------------------------------------- fleets and instances

    /**
     * The project's fleets that are not deleted.
     *
     * @param includeImported also fleets other projects export to this one
     */
    List<Fleet> listFleets(String project, boolean includeImported);

    /** A fleet by name; {@link ErrorCode#RESOURCE_NOT_EXISTS} if there is none. */
    Fleet getFleet(String project, String fleetName);

    /** What applying a fleet spec would do. */
    FleetPlan getFleetPlan(String project, FleetSpec spec);

    /** Creates a fleet or updates one in place. */
    Fleet applyFleet(String project, ApplyFleetRequest request);

    /** Applies a fleet configuration as it is (no plan asked first), as {@code dstack apply -y} of a fleet file does. */
    default Fleet applyFleet(String project, ai.dstack.api.configuration.FleetConfiguration configuration) {
        return applyFleet(project, ApplyFleetRequest.of(new FleetSpec(configuration, null,
                ai.dstack.api.configuration.Profile.defaultProfile(), false)));
    }

    /** {@link #applyFleet(String, ai.dstack.api.configuration.FleetConfiguration)} in the default project. */
    default Fleet applyFleet(ai.dstack.api.configuration.FleetConfiguration configuration) {
        return applyFleet(project().name(), configuration);
    }

    /** Terminates fleets and their instances; refused for a fleet in use. */
    void deleteFleets(String project, List<String> fleetNames);

    /** Instances, newest first; see {@link InstanceQuery}. */
    List<Instance> listInstances(InstanceQuery query);

    // ---------------------------------------------------------------- volumes

    /** The project's network volumes that are not deleted, by name. */
    List<ai.dstack.api.volume.Volume> listVolumes(String project);

    /** A volume by name; {@link ErrorCode#RESOURCE_NOT_EXISTS} if there is none. */
    ai.dstack.api.volume.Volume getVolume(String project, String name);

    /**
     * Creates a volume ({@code type: volume}): returned {@code submitted}; the project's backend then provisions it
     * (or registers an existing {@code volume_id}) and it becomes {@code active} or {@code failed}.
     */
    ai.dstack.api.volume.Volume createVolume(String project, ai.dstack.api.configuration.VolumeConfiguration configuration);

    /** Deletes volumes (in the cloud too, unless registered with {@code volume_id}); refused while one is attached. */
    void deleteVolumes(String project, List<String> names);

    // ---------------------------------------------------------------- secrets

    /** The project's secrets, without values. */
    List<Secret> listSecrets(String project);

    /** A secret with its value; {@link ErrorCode#RESOURCE_NOT_EXISTS} if there is none. */
    Secret getSecret(String project, String name);

    /** Creates or replaces a secret. */
    Secret setSecret(String project, String name, String value);

    /** Deletes secrets; {@link ErrorCode#RESOURCE_NOT_EXISTS} if any of them does not exist. */
    void deleteSecrets(String project, List<String> names);

    // ---------------------------------------------------------------- lifecycle

    /** Releases connections (remote) or stops the engine (embedded). Idempotent. */
    @Override
    void close();
}
