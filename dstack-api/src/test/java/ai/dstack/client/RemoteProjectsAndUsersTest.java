package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.json.WireSamples;
import ai.dstack.api.project.Project;
import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.api.user.User;
import ai.dstack.api.user.UserWithCreds;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Server info, users and projects over real HTTP. */
class RemoteProjectsAndUsersTest {
    @RegisterExtension
    final FakeDstackServer server = new FakeDstackServer();

    @Test
    void bodylessCallsSendNoBodyAndNoContentType() {
        server.replySample("server-info");
        server.replySample("user-with-creds");
        try (RemoteDstackClient client = server.client()) {
            assertThat(client.serverInfo().serverVersion()).isEqualTo(WireSamples.tree("server-info").get("server_version").asText());
            UserWithCreds me = client.me();
            assertThat(me.username()).isEqualTo("admin");
            assertThat(me.creds().token()).isEqualTo("f0e1d2c3-token");
        }
        for (String path : List.of("/api/server/get_info", "/api/users/get_my_user")) {
            RecordedRequest request = server.takePost(path);
            assertThat(request.getBodySize()).isZero();
            assertThat(request.getHeaders().get("Content-Type")).isNull();
        }
    }

    @Test
    void aClientWithoutTokenSendsNoAuthorization() {
        server.replySample("server-info");
        try (RemoteDstackClient client = RemoteDstackClient.builder().url(server.url()).build()) {
            client.serverInfo();
        }
        assertThat(server.take().getHeaders().get("Authorization")).isNull();
    }

    @Test
    void listingUsersLeavesUnsetFiltersToTheServer() {
        server.reply("[" + WireSamples.text("user") + "]");
        server.replySample("users-info-list");
        try (RemoteDstackClient client = server.client()) {
            assertThat(client.listUsers()).extracting(User::username).containsExactly("admin");
            assertThat(client.listUsers(UserQuery.newBuilder().namePattern("ad").limit(10).build())).isNotEmpty();
        }
        assertThat(FakeDstackServer.json(server.takePost("/api/users/list"))).isEqualTo(FakeDstackServer.tree("{}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/users/list")))
                .isEqualTo(FakeDstackServer.tree("{\"name_pattern\":\"ad\",\"limit\":10}"));
    }

    @Test
    void creatingAUserAndRefreshingATokenSendDstacksBodies() {
        server.replySample("user");
        server.replySample("user-with-creds");
        try (RemoteDstackClient client = server.client()) {
            User user = client.createUser(NewUser.of("alice", GlobalRole.USER).withEmail("alice@example.com"));
            assertThat(user.username()).isEqualTo("admin");
            assertThat(client.refreshToken("alice").creds().token()).isEqualTo("f0e1d2c3-token");
        }
        assertThat(FakeDstackServer.json(server.takePost("/api/users/create"))).isEqualTo(FakeDstackServer.tree(
                "{\"username\":\"alice\",\"global_role\":\"user\",\"email\":\"alice@example.com\",\"active\":true}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/users/refresh_token")))
                .isEqualTo(FakeDstackServer.tree("{\"username\":\"alice\"}"));
    }

    @Test
    void projectsAreListedFromABareArrayOrTheTotalCountForm() {
        server.reply("[" + WireSamples.text("project") + "]");
        server.replySample("projects-info-list");
        try (RemoteDstackClient client = server.client()) {
            assertThat(client.listProjects()).extracting(Project::projectName).containsExactly("main");
            assertThat(client.listProjects(ProjectQuery.newBuilder().includeNotJoined(false).build())).isNotEmpty();
        }
        assertThat(FakeDstackServer.json(server.takePost("/api/projects/list")))
                .isEqualTo(FakeDstackServer.tree("{\"include_not_joined\":true}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/projects/list")))
                .isEqualTo(FakeDstackServer.tree("{\"include_not_joined\":false}"));
    }

    @Test
    void projectCallsUseThePluralRouterWithTheNameInThePath() {
        server.replySample("project");
        server.replySample("project");
        server.reply("null");
        try (RemoteDstackClient client = server.client()) {
            Project project = client.project("main").get();
            assertThat(project.members()).isNotEmpty();
            client.createProject("research", true);
            client.deleteProjects(List.of("research"));
        }
        RecordedRequest get = server.takePost("/api/projects/main/get");
        assertThat(get.getBodySize()).isZero();
        assertThat(FakeDstackServer.json(server.takePost("/api/projects/create")))
                .isEqualTo(FakeDstackServer.tree("{\"project_name\":\"research\",\"is_public\":true}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/projects/delete")))
                .isEqualTo(FakeDstackServer.tree("{\"projects_names\":[\"research\"]}"));
    }

    @Test
    void membersAreAddedSetAndRemovedByName() {
        server.replySample("project");
        server.replySample("project");
        server.replySample("project");
        DstackProject main;
        try (RemoteDstackClient client = server.client()) {
            main = client.project("main");
            main.addMembers(List.of(MemberSetting.of("alice", ProjectRole.MANAGER)));
            main.setMembers(List.of(MemberSetting.of("admin", ProjectRole.ADMIN), MemberSetting.of("bob", ProjectRole.USER)));
            main.removeMembers(List.of("bob"));
        }
        assertThat(FakeDstackServer.json(server.takePost("/api/projects/main/add_members"))).isEqualTo(FakeDstackServer.tree(
                "{\"members\":[{\"username\":\"alice\",\"project_role\":\"manager\"}]}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/projects/main/set_members"))).isEqualTo(FakeDstackServer.tree(
                "{\"members\":[{\"username\":\"admin\",\"project_role\":\"admin\"},{\"username\":\"bob\",\"project_role\":\"user\"}]}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/projects/main/remove_members")))
                .isEqualTo(FakeDstackServer.tree("{\"usernames\":[\"bob\"]}"));
    }
}
