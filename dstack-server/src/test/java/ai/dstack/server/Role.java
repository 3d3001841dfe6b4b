package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The callers of a permission check, each with its own token, set up on one project through the API itself. */
enum Role {
    GLOBAL_ADMIN,
    PROJECT_ADMIN,
    MANAGER,
    USER,
    NON_MEMBER,
    BAD_TOKEN;

    /** User names the roles get in {@link #setUp}. */
    static final String PROJECT_ADMIN_NAME = "padmin";
    static final String MANAGER_NAME = "pmanager";
    static final String USER_NAME = "puser";
    static final String NON_MEMBER_NAME = "outsider";

    /**
     * Creates the users (global role {@code user}) and the project (by the global admin, who becomes its admin), adds
     * them with their roles and returns each role's token.
     */
    static Map<Role, String> setUp(ApiServer api, String project) {
        Map<Role, String> tokens = new EnumMap<>(Role.class);
        tokens.put(GLOBAL_ADMIN, api.adminToken);
        tokens.put(PROJECT_ADMIN, createUser(api, PROJECT_ADMIN_NAME));
        tokens.put(MANAGER, createUser(api, MANAGER_NAME));
        tokens.put(USER, createUser(api, USER_NAME));
        tokens.put(NON_MEMBER, createUser(api, NON_MEMBER_NAME));
        tokens.put(BAD_TOKEN, "not-a-token");
        assertThat(api.post("/api/projects/create", api.adminToken, "{\"project_name\":\"" + project + "\"}").status())
                .isEqualTo(200);
        String members = "{\"members\":[" + member(PROJECT_ADMIN_NAME, "admin") + "," + member(MANAGER_NAME, "manager")
                + "," + member(USER_NAME, "user") + "]}";
        assertThat(api.post("/api/projects/" + project + "/add_members", api.adminToken, members).status()).isEqualTo(200);
        return tokens;
    }

    static String createUser(ApiServer api, String name) {
        ApiServer.Reply created = api.post("/api/users/create", api.adminToken,
                "{\"username\":\"" + name + "\",\"global_role\":\"user\"}");
        assertThat(created.status()).as("%s", created).isEqualTo(200);
        ApiServer.Reply user = api.post("/api/users/get_user", api.adminToken, "{\"username\":\"" + name + "\"}");
        return user.body().path("creds").path("token").asText();
    }

    static String member(String name, String role) {
        return "{\"username\":\"" + name + "\",\"project_role\":\"" + role + "\"}";
    }

    static List<Role> all() {
        return List.of(values());
    }
}
