package ai.dstack.server.internal;

import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.core.app.Operation;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Project routes for logs, secrets and repos. */
final class ProjectResourceRoutes {
    private static final String PROJECT = "/api/project/{project_name}/";

    private ProjectResourceRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route(PROJECT + "logs/poll", Operation.POLL_LOGS, Route.Body.REQUIRED, ProjectResourceRoutes::pollLogs),
                new Route(PROJECT + "secrets/list", Operation.LIST_SECRETS, Route.Body.NONE,
                        call -> call.app().listSecrets(call.caller(), call.project())),
                new Route(PROJECT + "secrets/get", Operation.GET_SECRET, Route.Body.REQUIRED, call -> {
                    String name = call.body().string("name");
                    call.body().done();
                    return call.app().getSecret(call.caller(), call.project(), name);
                }),
                new Route(PROJECT + "secrets/create_or_update", Operation.SET_SECRET, Route.Body.REQUIRED, call -> {
                    String name = call.body().string("name");
                    String value = call.body().string("value");
                    call.body().done();
                    return call.app().setSecret(call.caller(), call.project(), name, value);
                }),
                new Route(PROJECT + "secrets/delete", Operation.DELETE_SECRETS, Route.Body.REQUIRED, call -> {
                    List<String> names = call.body().strings("secrets_names");
                    call.body().done();
                    call.app().deleteSecrets(call.caller(), call.project(), names);
                    return null;
                }),
                new Route(PROJECT + "repos/list", Operation.LIST_REPOS, Route.Body.NONE,
                        call -> call.app().listRepos(call.caller(), call.project())),
                new Route(PROJECT + "repos/get", Operation.GET_REPO, Route.Body.REQUIRED, call -> {
                    String repoId = call.body().string("repo_id");
                    boolean includeCreds = call.body().bool("include_creds");
                    call.body().done();
                    return call.app().getRepo(call.caller(), call.project(), repoId, includeCreds);
                }),
                new Route(PROJECT + "repos/init", Operation.INIT_REPO, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    String repoId = body.string("repo_id");
                    RepoInfo info = body.typed("repo_info", RepoInfo.class, true);
                    RemoteRepoCreds creds = body.typed("repo_creds", RemoteRepoCreds.class, false);
                    body.done();
                    call.app().initRepo(call.caller(), call.project(), repoId, info, creds);
                    return null;
                }),
                new Route(PROJECT + "repos/delete", Operation.DELETE_REPOS, Route.Body.REQUIRED, call -> {
                    List<String> ids = call.body().strings("repos_ids");
                    call.body().done();
                    call.app().deleteRepos(call.caller(), call.project(), ids);
                    return null;
                }));
    }

    /** dstack's {@code logs/poll}: messages travel base64-encoded; the limit is checked before storage is read. */
    private static Object pollLogs(Call call) {
        Fields body = call.body();
        String runName = body.string("run_name");
        UUID submission = body.uuid4("job_submission_id");
        Instant startTime = body.optInstant("start_time");
        Instant endTime = body.optInstant("end_time");
        boolean descending = body.bool("descending", false);
        String nextToken = body.optString("next_token");
        int limit = body.integer("limit", PollLogsRequest.DEFAULT_LIMIT, 0, PollLogsRequest.MAX_LIMIT);
        boolean diagnose = body.bool("diagnose", false);
        body.done();
        return call.app().pollLogs(call.caller(), call.project(), new PollLogsRequest(runName, submission, startTime,
                endTime, descending, nextToken, limit, diagnose));
    }
}
