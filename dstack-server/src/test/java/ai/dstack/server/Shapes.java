package ai.dstack.server;

import static ai.dstack.server.Shape.ANY;
import static ai.dstack.server.Shape.ANY_OBJECT;
import static ai.dstack.server.Shape.BOOLEAN;
import static ai.dstack.server.Shape.DATETIME;
import static ai.dstack.server.Shape.INTEGER;
import static ai.dstack.server.Shape.NUMBER;
import static ai.dstack.server.Shape.STRING;
import static ai.dstack.server.Shape.UUID_TEXT;
import static ai.dstack.server.Shape.arrayOf;
import static ai.dstack.server.Shape.object;
import static ai.dstack.server.Shape.oneOf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;

/**
 * dstack's reply models (dstack-api.md §4 and §5) as shapes: the fields dstack's client needs and their JSON types.
 * Nullable fields must still be present, since dstack writes every field.
 */
final class Shapes {
    private Shapes() {}

    static final Shape USER = object("User")
            .with("id", UUID_TEXT)
            .with("username", STRING)
            .with("created_at", DATETIME.orNull())
            .with("global_role", oneOf("admin", "user"))
            .with("email", STRING.orNull())
            .with("active", BOOLEAN)
            .with("permissions", object("UserPermissions").with("can_create_projects", BOOLEAN))
            .with("ssh_public_key", STRING.orNull());

    static final Shape USER_WITH_CREDS = USER
            .with("creds", object("UserTokenCreds").with("token", STRING))
            .with("ssh_private_key", STRING.orNull());

    static final Shape MEMBER = object("Member")
            .with("user", USER)
            .with("project_role", oneOf("admin", "manager", "user"))
            .with("permissions", object("MemberPermissions")
                    .with("can_manage_ssh_fleets", BOOLEAN)
                    .with("can_manage_secrets", BOOLEAN));

    static final Shape PROJECT = object("Project")
            .with("project_id", UUID_TEXT)
            .with("project_name", STRING)
            .with("owner", USER)
            .with("created_at", DATETIME.orNull())
            .with("backends", arrayOf(object("BackendInfo").with("name", STRING).with("config", ANY)))
            .with("members", arrayOf(MEMBER))
            .with("is_public", BOOLEAN);

    static final Shape SECRET = object("Secret")
            .with("id", UUID_TEXT)
            .with("name", STRING)
            .with("value", STRING.orNull());

    static final Shape REPO_HEAD = object("RepoHead")
            .with("repo_id", STRING)
            .with("repo_info", object("RepoInfo").with("repo_type", oneOf("virtual", "local", "remote")));

    static final Shape REPO_HEAD_WITH_CREDS = REPO_HEAD
            .with("repo_creds", object("RemoteRepoCreds").with("clone_url", STRING)
                    .with("private_key", STRING.orNull()).with("oauth_token", STRING.orNull()).orNull());

    static final Shape RESOURCES = object("Resources")
            .with("cpus", INTEGER)
            .with("memory_mib", INTEGER)
            .with("gpus", arrayOf(object("Gpu").with("name", STRING).with("memory_mib", INTEGER).with("vendor", STRING)))
            .with("spot", BOOLEAN)
            .with("disk", object("Disk").with("size_mib", INTEGER))
            .with("cpu_arch", oneOf("x86", "arm").orNull())
            .with("description", STRING);

    static final Shape INSTANCE_TYPE = object("InstanceType").with("name", STRING).with("resources", RESOURCES);

    static final Shape OFFER = object("InstanceOfferWithAvailability")
            .with("backend", STRING)
            .with("instance", INSTANCE_TYPE)
            .with("region", STRING)
            .with("price", NUMBER)
            .with("backend_data", ANY_OBJECT)
            .with("availability", oneOf("unknown", "available", "not_available", "no_quota", "no_balance", "idle", "busy"))
            .with("availability_zones", arrayOf(STRING).orNull())
            .with("instance_runtime", oneOf("shim", "runner"))
            .with("blocks", INTEGER)
            .with("total_blocks", INTEGER);

    static final Shape JOB_SPEC = object("JobSpec")
            .with("replica_num", INTEGER)
            .with("job_num", INTEGER)
            .with("job_name", STRING)
            .with("jobs_per_replica", INTEGER)
            .with("commands", arrayOf(STRING))
            .with("env", ANY_OBJECT)
            .with("image_name", STRING)
            .with("privileged", BOOLEAN)
            .with("max_duration", INTEGER.orNull())
            .with("stop_duration", INTEGER.orNull())
            .with("retry", ANY_OBJECT.orNull())
            .with("requirements", object("Requirements").with("resources", ANY_OBJECT))
            .with("file_archives", arrayOf(ANY))
            .with("probes", arrayOf(ANY));

    static final Shape PROVISIONING = object("JobProvisioningData")
            .with("backend", STRING)
            .with("instance_type", INSTANCE_TYPE)
            .with("instance_id", STRING)
            .with("hostname", STRING.orNull())
            .with("region", STRING)
            .with("price", NUMBER)
            .with("username", STRING)
            .with("dockerized", BOOLEAN);

    static final Shape JOB_SUBMISSION = object("JobSubmission")
            .with("id", UUID_TEXT)
            .with("submission_num", INTEGER)
            .with("deployment_num", INTEGER)
            .with("submitted_at", DATETIME)
            .with("last_processed_at", DATETIME)
            .with("finished_at", DATETIME.orNull())
            .with("status", oneOf("submitted", "provisioning", "pulling", "running", "terminating", "terminated",
                    "aborted", "failed", "done"))
            .with("status_message", STRING)
            .with("termination_reason", STRING.orNull())
            .with("termination_reason_message", STRING.orNull())
            .with("exit_status", INTEGER.orNull())
            .with("job_provisioning_data", PROVISIONING.orNull())
            .with("job_runtime_data", ANY_OBJECT.orNull())
            .with("error", STRING.orNull())
            .with("probes", arrayOf(ANY));

    static final Shape JOB = object("Job")
            .with("job_spec", JOB_SPEC)
            .with("job_submissions", arrayOf(JOB_SUBMISSION))
            .with("job_connection_info", ANY_OBJECT.orNull());

    static final Shape RUN_SPEC = object("RunSpec")
            .with("run_name", STRING.orNull())
            .with("repo_id", STRING.orNull())
            .with("repo_data", object("RunRepoData").with("repo_type", oneOf("virtual", "local", "remote")).orNull())
            .with("repo_code_hash", STRING.orNull())
            .with("file_archives", arrayOf(ANY))
            .with("configuration_path", STRING.orNull())
            .with("configuration", object("RunConfiguration").with("type", oneOf("task", "dev-environment", "service")))
            .with("profile", ANY_OBJECT.orNull())
            .with("ssh_key_pub", STRING.orNull());

    static final Shape RUN = object("Run")
            .with("id", UUID_TEXT)
            .with("project_name", STRING)
            .with("user", STRING)
            .with("fleet", object("RunFleet").with("id", UUID_TEXT).with("name", STRING).orNull())
            .with("submitted_at", DATETIME)
            .with("last_processed_at", DATETIME)
            .with("status", oneOf("pending", "submitted", "provisioning", "running", "terminating", "terminated",
                    "failed", "done"))
            .with("status_message", STRING)
            .with("termination_reason", STRING.orNull())
            .with("run_spec", RUN_SPEC)
            .with("jobs", arrayOf(JOB))
            .with("latest_job_submission", JOB_SUBMISSION.orNull())
            .with("cost", NUMBER)
            .with("service", ANY_OBJECT.orNull())
            .with("deployment_num", INTEGER)
            .with("error", STRING.orNull())
            .with("deleted", BOOLEAN.orNull())
            .with("next_triggered_at", DATETIME.orNull());

    static final Shape RUN_PLAN = object("RunPlan")
            .with("project_name", STRING)
            .with("user", STRING)
            .with("run_spec", RUN_SPEC)
            .with("effective_run_spec", RUN_SPEC.orNull())
            .with("job_plans", arrayOf(object("JobPlan")
                    .with("job_spec", JOB_SPEC)
                    .with("offers", arrayOf(OFFER))
                    .with("total_offers", INTEGER)
                    .with("max_price", NUMBER.orNull())))
            .with("current_resource", RUN.orNull())
            .with("action", oneOf("create", "update"));

    static final Shape INSTANCE = object("Instance")
            .with("id", UUID_TEXT)
            .with("project_name", STRING)
            .with("backend", STRING.orNull())
            .with("instance_type", INSTANCE_TYPE.orNull())
            .with("name", STRING)
            .with("fleet_id", UUID_TEXT.orNull())
            .with("fleet_name", STRING.orNull())
            .with("instance_num", INTEGER)
            .with("job_name", STRING.orNull())
            .with("hostname", STRING.orNull())
            .with("status", oneOf("pending", "provisioning", "idle", "busy", "terminating", "terminated"))
            .with("unreachable", BOOLEAN)
            .with("health_status", oneOf("healthy", "warning", "failure"))
            .with("termination_reason", STRING.orNull())
            .with("termination_reason_message", STRING.orNull())
            .with("created", DATETIME)
            .with("finished_at", DATETIME.orNull())
            .with("region", STRING.orNull())
            .with("availability_zone", STRING.orNull())
            .with("price", NUMBER.orNull())
            .with("total_blocks", INTEGER.orNull())
            .with("busy_blocks", INTEGER)
            .with("gpu_driver", ANY_OBJECT.orNull());

    static final Shape FLEET = object("Fleet")
            .with("id", UUID_TEXT)
            .with("name", STRING)
            .with("project_name", STRING)
            .with("spec", object("FleetSpec")
                    .with("configuration", object("FleetConfiguration").with("type", oneOf("fleet")))
                    .with("configuration_path", STRING.orNull())
                    .with("profile", ANY_OBJECT)
                    .with("autocreated", BOOLEAN))
            .with("created_at", DATETIME)
            .with("status", oneOf("submitted", "active", "terminating", "terminated", "failed"))
            .with("status_message", STRING.orNull())
            .with("instances", arrayOf(INSTANCE));

    static final Shape BASE64 = Shape.scalar("base64", n -> n.isTextual() && decodes(n));

    static final Shape LOGS = object("JobSubmissionLogs")
            .with("logs", arrayOf(object("LogEvent")
                    .with("timestamp", DATETIME)
                    .with("log_source", oneOf("stdout", "stderr"))
                    .with("message", BASE64)))
            .with("external_url", STRING.orNull())
            .with("next_token", STRING.orNull());

    static final Shape SERVER_INFO = object("ServerInfo").with("server_version", STRING.orNull());

    static final Shape CLIENT_ERROR = object("ServerClientError")
            .with("detail", arrayOf(object("ErrorDetail").with("msg", STRING).with("code", STRING.orNull())));

    static final Shape VALIDATION_ERROR = object("RequestValidationError")
            .with("detail", arrayOf(object("ValidationDetail")
                    .with("type", STRING)
                    .with("loc", arrayOf(ANY))
                    .with("msg", STRING)
                    .with("input", ANY.orNull())));

    private static boolean decodes(JsonNode n) {
        try {
            Base64.getDecoder().decode(n.asText());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
