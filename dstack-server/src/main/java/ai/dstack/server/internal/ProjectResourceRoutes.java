package ai.dstack.server.internal;

import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.logs.LogEventSource;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Project routes for logs, secrets and repos. */
final class ProjectResourceRoutes {
    private static final String PROJECT = "/api/project/{project_name}/";

    private ProjectResourceRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route(PROJECT + "logs/poll", Need.PROJECT_MEMBER, Route.Body.REQUIRED, ProjectResourceRoutes::pollLogs),
                // Secrets: the route needs a manager; the service then needs dstack's can_manage_secrets.
                new Route(PROJECT + "secrets/list", Need.PROJECT_MANAGER, Route.Body.NONE,
                        call -> call.engine().secrets().list(call.project(), call.user())),
                new Route(PROJECT + "secrets/get", Need.PROJECT_MANAGER, Route.Body.REQUIRED, call -> {
                    String name = call.body().string("name");
                    call.body().done();
                    return call.engine().secrets().get(call.project(), call.user(), name);
                }),
                new Route(PROJECT + "secrets/create_or_update", Need.PROJECT_MANAGER, Route.Body.REQUIRED, call -> {
                    String name = call.body().string("name");
                    String value = call.body().string("value");
                    call.body().done();
                    return call.engine().secrets().createOrUpdate(call.project(), call.user(), name, value);
                }),
                new Route(PROJECT + "secrets/delete", Need.PROJECT_MANAGER, Route.Body.REQUIRED, call -> {
                    List<String> names = call.body().strings("secrets_names");
                    call.body().done();
                    call.engine().secrets().delete(call.project(), call.user(), names);
                    return null;
                }),
                new Route(PROJECT + "repos/list", Need.PROJECT_MEMBER, Route.Body.NONE,
                        call -> call.engine().repos().list(call.project())),
                new Route(PROJECT + "repos/get", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    String repoId = call.body().string("repo_id");
                    boolean includeCreds = call.body().bool("include_creds");
                    call.body().done();
                    return call.engine().repos().get(call.project(), call.user(), repoId, includeCreds);
                }),
                new Route(PROJECT + "repos/init", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    String repoId = body.string("repo_id");
                    RepoInfo info = body.typed("repo_info", RepoInfo.class, true);
                    RemoteRepoCreds creds = body.typed("repo_creds", RemoteRepoCreds.class, false);
                    body.done();
                    call.engine().repos().init(call.project(), call.user(), repoId, info, creds);
                    return null;
                }),
                new Route(PROJECT + "repos/delete", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    List<String> ids = call.body().strings("repos_ids");
                    call.body().done();
                    call.engine().repos().delete(call.project(), ids);
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
        int limit = body.integer("limit", LogQuery.DEFAULT_LIMIT, LogQuery.MIN_LIMIT, LogQuery.MAX_LIMIT);
        boolean diagnose = body.bool("diagnose", false);
        body.done();
        LogQuery query = new LogQuery(startTime, endTime, descending, nextToken, limit, diagnose);
        LogPage page = call.engine().runs().logs(call.project(), runName, submission, query);
        List<LogEvent> events = page.events().stream()
                .map(e -> LogEvent.of(e.timestamp(), LogEventSource.fromWireValue(e.source().wireValue()),
                        e.message().getBytes(StandardCharsets.UTF_8)))
                .toList();
        return new JobSubmissionLogs(events, page.externalUrl(), page.nextToken());
    }
}
