package ai.dstack.server;

import java.util.List;
import java.util.UUID;

/** Every POST endpoint of the server with a well-formed body for the global admin in project {@code main}. */
final class Endpoints {
    private Endpoints() {}

    record Endpoint(String path, String body) {}

    static final String P = "/api/project/main/";

    static {
        // backends/create of aws checks the keys with EC2: the fake one, where AK is an account
        ai.dstack.backend.aws.testing.FakeEc2.shared().account("AK");
    }
    static final String TASK = "{\"type\":\"task\",\"commands\":[\"true\"],\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"}}";

    /** Stays active until stopped, so that a second apply meets it whatever the machine's speed. */
    static final String LONG_TASK =
            "{\"type\":\"task\",\"commands\":[\"sleep 300\"],\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"}}";

    static List<Endpoint> all() {
        String uuid4 = "\"" + UUID.randomUUID() + "\"";
        String runSpec = "{\"run_name\":\"fuzz-run\",\"configuration\":" + LONG_TASK + ",\"profile\":{\"name\":\"default\"}}";
        return List.of(
                new Endpoint("/api/server/get_info", null),
                new Endpoint("/api/backends/list_types", null),
                new Endpoint("/api/auth/list_providers", null),
                new Endpoint("/api/users/list", "{\"limit\":10,\"name_pattern\":\"a\"}"),
                new Endpoint("/api/users/get_my_user", null),
                new Endpoint("/api/users/get_user", "{\"username\":\"admin\"}"),
                new Endpoint("/api/users/create", "{\"username\":\"fuzz-user\",\"global_role\":\"user\"}"),
                new Endpoint("/api/users/update", "{\"username\":\"fuzz-user\",\"global_role\":\"user\",\"email\":null,\"active\":true}"),
                new Endpoint("/api/users/refresh_token", "{\"username\":\"zz-nobody\"}"),
                new Endpoint("/api/users/refresh_ssh_key", "{\"username\":\"zz-nobody\"}"),
                new Endpoint("/api/users/delete", "{\"users\":[\"zz-nobody\"]}"),
                new Endpoint("/api/projects/list", "{\"include_not_joined\":true,\"limit\":10}"),
                new Endpoint("/api/projects/create", "{\"project_name\":\"fuzz-project\",\"is_public\":false}"),
                new Endpoint("/api/projects/delete", "{\"projects_names\":[\"zz-none\"]}"),
                new Endpoint("/api/projects/main/get", null),
                new Endpoint("/api/projects/main/set_members", "{\"members\":[{\"username\":\"admin\",\"project_role\":\"admin\"}]}"),
                new Endpoint("/api/projects/main/add_members", "{\"members\":[{\"username\":\"admin\",\"project_role\":\"admin\"}]}"),
                new Endpoint("/api/projects/main/remove_members", "{\"usernames\":[\"zz-nobody\"]}"),
                new Endpoint("/api/runs/list", "{\"project_name\":\"main\",\"only_active\":false,\"limit\":10,\"job_submissions_limit\":1}"),
                new Endpoint(P + "runs/get", "{\"run_name\":\"zz\",\"id\":null}"),
                new Endpoint(P + "runs/get_plan", "{\"run_spec\":" + runSpec + ",\"max_offers\":5}"),
                new Endpoint(P + "runs/apply", "{\"plan\":{\"run_spec\":" + runSpec + ",\"current_resource\":null},\"force\":false}"),
                new Endpoint(P + "runs/stop", "{\"runs_names\":[\"zz\"],\"abort\":false}"),
                new Endpoint(P + "runs/delete", "{\"runs_names\":[\"zz\"]}"),
                new Endpoint(P + "logs/poll", "{\"run_name\":\"zz\",\"job_submission_id\":" + uuid4 + ",\"limit\":10}"),
                new Endpoint(P + "secrets/list", null),
                new Endpoint(P + "secrets/get", "{\"name\":\"zz\"}"),
                new Endpoint(P + "secrets/create_or_update", "{\"name\":\"FUZZ\",\"value\":\"v\"}"),
                new Endpoint(P + "secrets/delete", "{\"secrets_names\":[\"zz\"]}"),
                new Endpoint(P + "repos/list", null),
                new Endpoint(P + "repos/get", "{\"repo_id\":\"none\",\"include_creds\":false}"),
                new Endpoint(P + "repos/init", "{\"repo_id\":\"fuzz\",\"repo_info\":{\"repo_type\":\"remote\",\"repo_name\":\"r\"},"
                        + "\"repo_creds\":{\"clone_url\":\"https://x/r.git\",\"private_key\":null,\"oauth_token\":null}}"),
                new Endpoint(P + "repos/delete", "{\"repos_ids\":[\"zz\"]}"),
                new Endpoint(P + "fleets/list", "{\"include_imported\":false}"),
                new Endpoint(P + "fleets/get", "{\"name\":\"local\"}"),
                new Endpoint(P + "fleets/get_plan", "{\"spec\":{\"configuration\":{\"type\":\"fleet\",\"nodes\":1}}}"),
                new Endpoint(P + "fleets/apply", "{\"plan\":{\"spec\":{\"configuration\":{\"type\":\"fleet\"}},\"current_resource\":null},\"force\":false}"),
                new Endpoint(P + "fleets/delete", "{\"names\":[\"zz\"]}"),
                new Endpoint(P + "fleets/delete_instances", "{\"name\":\"zz\",\"instance_nums\":[1]}"),
                new Endpoint("/api/fleets/list", "{\"project_name\":\"main\"}"),
                new Endpoint("/api/instances/list", "{\"project_names\":[\"main\"],\"limit\":5}"),
                new Endpoint(P + "instances/get", "{\"id\":" + uuid4 + "}"),
                // Backends: no JSON update here, since backend configurations refuse unknown fields as dstack's do.
                new Endpoint(P + "backends/create", "{\"type\":\"aws\",\"regions\":[\"us-east-1\"],"
                        + "\"creds\":{\"type\":\"access_key\",\"access_key\":\"AK\",\"secret_key\":\"SK\"}}"),
                new Endpoint(P + "backends/aws/config_info", null),
                new Endpoint(P + "backends/aws/get_yaml", null),
                new Endpoint(P + "backends/create_yaml", "{\"config_yaml\":\"type: lambda\\ncreds: {api_key: k}\"}"),
                new Endpoint(P + "backends/update_yaml", "{\"config_yaml\":\"type: lambda\\ncreds: {api_key: k2}\"}"),
                new Endpoint(P + "backends/delete", "{\"backends_names\":[\"lambda\"]}"),
                new Endpoint("/api/projects/main/update", "{\"is_public\":false,\"templates_repo\":null}"),
                new Endpoint("/api/projects/list_only_no_fleets", null),
                new Endpoint("/api/users/public_keys/list", null),
                new Endpoint("/api/users/public_keys/add", "{\"key\":\"ssh-ed25519 AAAA\",\"name\":\"k\"}"),
                new Endpoint("/api/users/public_keys/delete", "{\"ids\":[" + uuid4 + "]}"),
                new Endpoint("/api/files/get_archive_by_hash", "{\"hash\":\"zz\"}"),
                new Endpoint("/api/auth/get_next_redirect", "{\"code\":\"c\",\"state\":\"s\"}"),
                new Endpoint("/api/volumes/list", "{\"project_name\":\"main\"}"),
                new Endpoint(P + "volumes/list", null),
                new Endpoint(P + "volumes/get", "{\"name\":\"zz\"}"),
                new Endpoint(P + "volumes/create", "{\"configuration\":{\"type\":\"volume\",\"backend\":\"aws\",\"region\":\"r\"}}"),
                new Endpoint(P + "volumes/delete", "{\"names\":[\"zz\"]}"),
                new Endpoint(P + "exports/list", null),
                new Endpoint(P + "exports/create", "{\"name\":\"e\"}"),
                new Endpoint(P + "exports/update", "{\"name\":\"e\"}"),
                new Endpoint(P + "exports/delete", "{\"name\":\"e\"}"),
                new Endpoint(P + "imports/list", null),
                new Endpoint(P + "imports/delete", "{\"export_name\":\"e\",\"export_project_name\":\"p\"}"),
                new Endpoint(P + "templates/list", null),
                new Endpoint(P + "gpus/list", "{\"run_spec\":" + runSpec + ",\"group_by\":[\"backend\",\"region\"]}"),
                new Endpoint("/api/events/list", "{\"limit\":10}"),
                new Endpoint(P + "instances/get_instance_health_checks", "{\"fleet_name\":\"local\",\"instance_num\":0}"));
    }
}
