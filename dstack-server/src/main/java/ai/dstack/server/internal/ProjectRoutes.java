package ai.dstack.server.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.project.ProjectsInfoList;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.core.internal.operations.Projects.MemberSetting;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code /api/projects/*}: listing, creation, deletion and members. */
final class ProjectRoutes {
    private static final Map<String, ProjectRole> ROLES = Map.of(
            "admin", ProjectRole.ADMIN, "manager", ProjectRole.MANAGER, "user", ProjectRole.USER);

    private ProjectRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route("/api/projects/list", Need.AUTHENTICATED, Route.Body.OPTIONAL, ProjectRoutes::list),
                new Route("/api/projects/create", Need.AUTHENTICATED, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    String name = body.string("project_name");
                    boolean isPublic = body.bool("is_public", false);
                    String templatesRepo = body.optString("templates_repo");
                    body.done();
                    if (templatesRepo != null && !templatesRepo.isBlank()) {
                        throw new DstackException(ErrorCode.ERROR, "templates_repo is not supported by this server");
                    }
                    return call.engine().projects().create(call.user(), name, isPublic);
                }),
                new Route("/api/projects/delete", Need.AUTHENTICATED, Route.Body.REQUIRED, call -> {
                    List<String> names = call.body().strings("projects_names");
                    call.body().done();
                    call.engine().projects().delete(call.user(), names);
                    return null;
                }),
                new Route("/api/projects/{project_name}/get", Need.PROJECT_MEMBER_OR_PUBLIC, Route.Body.NONE,
                        call -> call.engine().projects().view(call.project())),
                new Route("/api/projects/{project_name}/set_members", Need.PROJECT_MANAGER, Route.Body.REQUIRED, call -> {
                    List<MemberSetting> members = members(call.body());
                    return call.engine().projects().setMembers(call.user(), call.project(), members);
                }),
                new Route("/api/projects/{project_name}/add_members", Need.PROJECT_MANAGER_OR_PUBLIC, Route.Body.REQUIRED,
                        call -> {
                            List<MemberSetting> members = members(call.body());
                            return call.engine().projects().addMembers(call.user(), call.project(), members);
                        }),
                new Route("/api/projects/{project_name}/update", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    Boolean isPublic = body.optBool("is_public");
                    String templatesRepo = body.optString("templates_repo");
                    body.bool("reset_templates_repo", false);
                    body.done();
                    return call.engine().projects().update(call.project(), isPublic, templatesRepo);
                }),
                new Route("/api/projects/list_only_no_fleets", Need.AUTHENTICATED, Route.Body.NONE,
                        call -> call.engine().projects().memberProjectsWithoutFleets(call.user())),
                new Route("/api/projects/{project_name}/remove_members", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    List<String> usernames = call.body().strings("usernames");
                    call.body().done();
                    return call.engine().projects().removeMembers(call.user(), call.project(), usernames);
                }));
    }

    private static Object list(Call call) {
        Fields body = call.body();
        boolean includeNotJoined = body.bool("include_not_joined", true);
        boolean withTotal = body.bool("return_total_count", false);
        String namePattern = body.optString("name_pattern", UserRoutes.NAME_PATTERN);
        Instant prevCreatedAt = body.optInstant("prev_created_at");
        UUID prevId = body.optUuid("prev_id");
        int limit = body.integer("limit", 2000, 0, 2000);
        boolean ascending = body.bool("ascending", false);
        body.done();
        ProjectsInfoList projects = call.engine().projects().list(call.user(), includeNotJoined, withTotal, namePattern,
                prevCreatedAt, prevId, limit, ascending);
        return withTotal ? projects : projects.projects();
    }

    private static List<MemberSetting> members(Fields body) {
        List<MemberSetting> members = new ArrayList<>();
        for (Fields member : body.objects("members")) {
            members.add(new MemberSetting(member.string("username"), member.choice("project_role", ROLES)));
        }
        body.done();
        return members;
    }
}
