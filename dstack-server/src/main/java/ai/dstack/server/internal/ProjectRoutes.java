package ai.dstack.server.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.project.ProjectsInfoList;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.client.MemberSetting;
import ai.dstack.client.ProjectQuery;
import ai.dstack.core.app.Operation;
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
                new Route("/api/projects/list", Operation.LIST_PROJECTS, Route.Body.OPTIONAL, ProjectRoutes::list),
                new Route("/api/projects/create", Operation.CREATE_PROJECT, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    String name = body.string("project_name");
                    boolean isPublic = body.bool("is_public", false);
                    String templatesRepo = body.optString("templates_repo");
                    body.done();
                    if (templatesRepo != null && !templatesRepo.isBlank()) {
                        throw new DstackException(ErrorCode.ERROR, "templates_repo is not supported by this server");
                    }
                    return call.app().createProject(call.caller(), name, isPublic);
                }),
                new Route("/api/projects/delete", Operation.DELETE_PROJECTS, Route.Body.REQUIRED, call -> {
                    List<String> names = call.body().strings("projects_names");
                    call.body().done();
                    call.app().deleteProjects(call.caller(), names);
                    return null;
                }),
                new Route("/api/projects/{project_name}/get", Operation.GET_PROJECT, Route.Body.NONE,
                        call -> call.app().getProject(call.caller(), call.project())),
                new Route("/api/projects/{project_name}/set_members", Operation.SET_MEMBERS, Route.Body.REQUIRED,
                        call -> call.app().setMembers(call.caller(), call.project(), members(call.body()))),
                new Route("/api/projects/{project_name}/add_members", Operation.ADD_MEMBERS, Route.Body.REQUIRED,
                        call -> call.app().addMembers(call.caller(), call.project(), members(call.body()))),
                new Route("/api/projects/{project_name}/update", Operation.UPDATE_PROJECT, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    Boolean isPublic = body.optBool("is_public");
                    String templatesRepo = body.optString("templates_repo");
                    body.bool("reset_templates_repo", false);
                    body.done();
                    return call.app().updateProject(call.caller(), call.project(), isPublic, templatesRepo);
                }),
                new Route("/api/projects/list_only_no_fleets", Operation.LIST_PROJECTS_WITHOUT_FLEETS, Route.Body.NONE,
                        call -> call.app().listProjectsWithoutFleets(call.caller())),
                new Route("/api/projects/{project_name}/remove_members", Operation.REMOVE_MEMBERS, Route.Body.REQUIRED,
                        call -> {
                            List<String> usernames = call.body().strings("usernames");
                            call.body().done();
                            return call.app().removeMembers(call.caller(), call.project(), usernames);
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
        ProjectQuery query = new ProjectQuery(includeNotJoined, namePattern, prevCreatedAt, prevId, limit, ascending);
        ProjectsInfoList projects = call.app().listProjects(call.caller(), query, withTotal);
        return withTotal ? projects : projects.projects();
    }

    private static List<MemberSetting> members(Fields body) {
        List<String> names = new ArrayList<>();
        List<ProjectRole> roles = new ArrayList<>();
        for (Fields member : body.objects("members")) {
            names.add(member.string("username"));
            roles.add(member.choice("project_role", ROLES));
        }
        body.done();
        List<MemberSetting> members = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            members.add(new MemberSetting(names.get(i), roles.get(i)));
        }
        return members;
    }
}
