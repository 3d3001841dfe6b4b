"""
Writes the JSON wire samples under src/test/resources/ai/dstack/api/samples/ by running dstack's own
pydantic models, so the Java round-trip tests compare against what dstack really puts on the wire.

Run from a checkout of dstack's `src/` (pydantic v2 installed; gpuhunt and server-only packages may be
stubbed because only the models are used):

    PYTHONPATH=<dstack>/src python3 generate_wire_samples.py <output dir>

Each sample is `<name>.json`: the full dump of a model (pydantic_core.to_json, as dstack's server
replies). `<name>.minimal.json` holds only the required fields of the same kind of object, and
`<name>.minimal.expected.json` is what dstack makes of it (every default filled). Configurations are
replaced by null: they are parsed by the configuration model, not by these records.
"""
import json
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

from pydantic_core import to_json

from dstack._internal.core.backends.models import BackendInfo
from dstack._internal.core.models.configurations import TaskConfiguration
from dstack._internal.core.models.fleets import Fleet, FleetConfiguration, FleetPlan, FleetSpec
from dstack._internal.core.models.instances import Instance, InstanceOfferWithAvailability
from dstack._internal.core.models.logs import JobSubmissionLogs
from dstack._internal.core.models.profiles import Profile
from dstack._internal.core.models.projects import Project, ProjectsInfoList
from dstack._internal.core.models.repos import RepoHeadWithCreds
from dstack._internal.core.models.resources import ResourcesSpec
from dstack._internal.core.models.runs import JobSpec, JobSubmission, Run, RunPlan, RunSpec
from dstack._internal.core.models.secrets import Secret
from dstack._internal.core.models.server import ServerInfo
from dstack._internal.core.models.users import User, UsersInfoList, UserWithCreds
from dstack._internal.core.models.volumes import Volume
from dstack._internal.server.schemas.logs import PollLogsRequest

OUT = Path(sys.argv[1])

T1 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
T2 = datetime(2024, 1, 2, 3, 5, 6, 123456, tzinfo=timezone.utc)
T3 = datetime(2024, 1, 2, 4, 0, 0, 500000, tzinfo=timezone.utc)
RUN_ID = uuid.UUID("6d0a1f0e-5b3c-4a8e-9d51-2c7e7b8a9f10")
JOB_ID = uuid.UUID("0f5c8a36-2f4b-4c1e-8a7d-3b9e6c1d2a40")
FLEET_ID = uuid.UUID("b5e2c1d4-8f3a-4e6b-9c7d-1a2b3c4d5e6f")
INSTANCE_ID = uuid.UUID("c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f")
USER_ID = uuid.UUID("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")
PROJECT_ID = uuid.UUID("e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b")
VOLUME_ID = uuid.UUID("d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a")
SECRET_ID = uuid.UUID("f1a2b3c4-d5e6-4f7a-8b9c-0d1e2f3a4b5c")
ARCHIVE_ID = uuid.UUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")


def dump(model):
    return json.loads(to_json(model))


def write(name, data):
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")


def null_configuration(data, *path):
    node = data
    for key in path:
        node = node[key]
    node["configuration"] = None
    return data


def gpus(n, name="A100", memory_mib=40960):
    return [{"name": name, "memory_mib": memory_mib, "vendor": "nvidia"} for _ in range(n)]


resources = {
    "cpus": 96,
    "memory_mib": 1179648,
    "gpus": gpus(8),
    "spot": False,
    "disk": {"size_mib": 102400},
    "cpu_arch": "x86",
    "description": "",
}
instance_type = {"name": "p4d.24xlarge", "resources": resources}
offer = InstanceOfferWithAvailability.model_validate(
    {
        "backend": "aws",
        "instance": instance_type,
        "region": "us-east-1",
        "price": 32.77,
        "backend_data": {},
        "availability": "available",
        "availability_zones": None,
        "instance_runtime": "shim",
        "blocks": 1,
        "total_blocks": 1,
    }
)
write("instance-offer", dump(offer))
write(
    "instance-offer.minimal",
    {
        "backend": "gcp",
        "instance": {
            "name": "v5litepod-1",
            "resources": {"cpus": 24, "memory_mib": 49152, "gpus": [{"name": "tpu-v5e", "memory_mib": 16384}], "spot": True},
        },
        "region": "us-west4",
        "price": 1.2,
        "availability": "no_quota",
    },
)
write("instance-offer.minimal.expected", dump(InstanceOfferWithAvailability.model_validate(json.loads((OUT / "instance-offer.minimal.json").read_text()))))

gpu_driver = {"vendor": "nvidia", "version": "535.104.05"}
instance = Instance.model_validate(
    {
        "id": INSTANCE_ID,
        "project_name": "main",
        "backend": "aws",
        "instance_type": instance_type,
        "name": "my-fleet-0",
        "fleet_id": FLEET_ID,
        "fleet_name": "my-fleet",
        "instance_num": 0,
        "hostname": "3.90.12.7",
        "status": "busy",
        "unreachable": False,
        "health_status": "warning",
        "termination_reason": None,
        "termination_reason_message": None,
        "created": T1,
        "finished_at": None,
        "region": "us-east-1",
        "availability_zone": "us-east-1a",
        "price": 32.77,
        "total_blocks": 1,
        "busy_blocks": 1,
        "gpu_driver": gpu_driver,
    }
)
write("instance", dump(instance))
instance_minimal = {
    "id": str(INSTANCE_ID),
    "project_name": "main",
    "name": "lab-1",
    "instance_num": 1,
    "status": "terminated",
    "termination_reason": "idle_timeout",
    "created": "2024-01-02T03:04:05Z",
}
write("instance.minimal", instance_minimal)
write("instance.minimal.expected", dump(Instance.model_validate(instance_minimal)))

fleet_conf = FleetConfiguration.model_validate({"type": "fleet", "name": "my-fleet", "nodes": "0..2", "placement": "cluster"})
default_profile = Profile(name="default")
fleet_spec = FleetSpec(configuration=fleet_conf, configuration_path="fleet.dstack.yml", profile=default_profile)
fleet = Fleet(
    id=FLEET_ID,
    name="my-fleet",
    project_name="main",
    spec=fleet_spec,
    created_at=T1,
    status="active",
    status_message=None,
    instances=[instance],
)
write("fleet", null_configuration(dump(fleet), "spec"))
fleet_minimal = {
    "id": str(FLEET_ID),
    "name": "my-fleet",
    "project_name": "main",
    "spec": {"configuration": None, "profile": dump(default_profile)},
    "created_at": "2024-01-02T03:04:05Z",
    "status": "terminating",
    "instances": [],
}
fleet_minimal_model = dict(fleet_minimal, spec={"configuration": dump(fleet_conf), "profile": dump(default_profile)})
write("fleet.minimal", fleet_minimal)
write("fleet.minimal.expected", null_configuration(dump(Fleet.model_validate(fleet_minimal_model)), "spec"))

fleet_plan = FleetPlan(
    project_name="main",
    user="admin",
    spec=fleet_spec,
    effective_spec=fleet_spec,
    current_resource=fleet,
    offers=[offer],
    total_offers=1,
    max_offer_price=32.77,
    action="update",
)
plan = dump(fleet_plan)
for key in ("spec", "effective_spec"):
    null_configuration(plan, key)
null_configuration(plan, "current_resource", "spec")
write("fleet-plan", plan)

resources_spec = dump(ResourcesSpec())
job_provisioning_data = {
    "backend": "aws",
    "base_backend": None,
    "instance_type": instance_type,
    "instance_id": "i-0123456789abcdef0",
    "hostname": "3.90.12.7",
    "internal_ip": "10.0.0.12",
    "public_ip_enabled": True,
    "instance_network": None,
    "region": "us-east-1",
    "availability_zone": "us-east-1a",
    "reservation": None,
    "price": 32.77,
    "username": "ubuntu",
    "ssh_port": 22,
    "dockerized": True,
    "ssh_proxy": {"hostname": "bastion.example.com", "username": "jump", "port": 2222},
    "backend_data": '{"key": "value"}',
    "gpu_driver": gpu_driver,
}
job_runtime_data = {
    "network_mode": "bridge",
    "gpu": 2,
    "cpu": 24.0,
    "memory": 288.0,
    "ports": {8080: 32768, 22: 32769},
    "volume_names": ["data"],
    "offer": dump(offer),
    "working_dir": "/workflow",
    "username": "root",
}
submission = JobSubmission.model_validate(
    {
        "id": JOB_ID,
        "submission_num": 1,
        "deployment_num": 2,
        "submitted_at": T1,
        "last_processed_at": T2,
        "finished_at": T3,
        "inactivity_secs": 30,
        "status": "failed",
        "status_message": "exited (1)",
        "termination_reason": "container_exited_with_error",
        "termination_reason_message": "Container exited with code 1",
        "exit_status": 1,
        "job_provisioning_data": job_provisioning_data,
        "job_runtime_data": job_runtime_data,
        "error": None,
        "probes": [{"success_streak": 3}],
        "image_pull_progress": {"downloaded_bytes": 100, "extracted_bytes": 50, "total_bytes": 4000000000, "is_total_bytes_final": False},
    }
)
write("job-submission", dump(submission))
submission_minimal = {
    "id": str(JOB_ID),
    "submission_num": 0,
    "submitted_at": "2024-01-02T03:04:05Z",
    "last_processed_at": "2024-01-02T03:04:05.123456Z",
    "status": "provisioning",
}
write("job-submission.minimal", submission_minimal)
write("job-submission.minimal.expected", dump(JobSubmission.model_validate(submission_minimal)))

job_spec = JobSpec.model_validate(
    {
        "replica_num": 0,
        "job_num": 0,
        "job_name": "train-0-0",
        "jobs_per_replica": 2,
        "replica_group": "0",
        "app_specs": [{"port": 8080, "map_to_port": None, "app_name": "app_0", "url_path": None, "url_query_params": None}],
        "user": {"uid": 1000, "gid": None, "username": None, "groupname": "users"},
        "commands": ["/bin/bash", "-i", "-c", "python train.py"],
        "env": {"A": "1", "B": "two"},
        "home_dir": "/root",
        "image_name": "dstackai/base:0.10-base-ubuntu22.04",
        "privileged": False,
        "single_branch": True,
        "max_duration": 7200,
        "stop_duration": 300,
        "utilization_policy": {"min_gpu_utilization": 10, "time_window": 600},
        "registry_auth": None,
        "requirements": {"resources": resources_spec, "max_price": None, "spot": False, "reservation": None, "multinode": True, "backend_options": None},
        "retry": {"on_events": ["no-capacity", "error"], "duration": 3600},
        "volumes": [{"name": "data", "path": "/data"}, {"instance_path": "/mnt/cache", "path": "/cache", "optional": True}],
        "ssh_key": None,
        "working_dir": "/workflow",
        "repo_data": {"repo_type": "remote", "repo_name": "dstack", "repo_branch": "master", "repo_hash": "abc123"},
        "repo_code_hash": "deadbeef",
        "repo_dir": "/workflow",
        "repo_exists_action": "skip",
        "file_archives": [{"id": ARCHIVE_ID, "path": "/data/archive"}],
        "service_port": None,
        "probes": [{"type": "http", "url": "/health", "timeout": 10, "interval": 15, "ready_after": 1}],
        "node_group_index": 0,
        "node_group_name": "0",
        "node_group_job_index": 0,
    }
)
write("job-spec", dump(job_spec))
job_spec_minimal = {
    "job_num": 1,
    "job_name": "train-1-0",
    "commands": ["/bin/sh", "-c", "true"],
    "env": {},
    "image_name": "ubuntu",
    "requirements": {"resources": resources_spec},
}
write("job-spec.minimal", job_spec_minimal)
write("job-spec.minimal.expected", dump(JobSpec.model_validate(job_spec_minimal)))

task = TaskConfiguration.model_validate({"type": "task", "name": "train", "commands": ["python train.py"]})
run_spec = RunSpec(
    run_name="train",
    repo_id="none",
    repo_data={"repo_type": "virtual"},
    file_archives=[{"id": ARCHIVE_ID, "path": "/data/archive"}],
    configuration_path="train.dstack.yml",
    configuration=task,
    profile=default_profile,
    ssh_key_pub="ssh-rsa AAAA user@host",
)
run = Run.model_validate(
    {
        "id": RUN_ID,
        "project_name": "main",
        "user": "admin",
        "fleet": {"id": FLEET_ID, "name": "my-fleet"},
        "submitted_at": T1,
        "last_processed_at": T2,
        "status": "failed",
        "status_message": "failed",
        "termination_reason": "job_failed",
        "run_spec": run_spec,
        "jobs": [
            {
                "job_spec": job_spec,
                "job_submissions": [submission],
                "job_connection_info": {
                    "ide_name": None,
                    "attached_ide_url": None,
                    "proxied_ide_url": None,
                    "attached_ssh_command": ["ssh", "train"],
                    "proxied_ssh_command": None,
                    "sshproxy_hostname": None,
                    "sshproxy_port": None,
                    "sshproxy_upstream_id": None,
                },
            }
        ],
        "latest_job_submission": submission,
        "cost": 0.5461,
        "service": {"url": "/proxy/services/main/train/", "model": {"name": "llama", "base_url": "/proxy/models/main", "type": "chat"}, "options": {}},
        "deployment_num": 2,
        "error": None,
        "deleted": False,
        "next_triggered_at": None,
    }
)
write("run", null_configuration(dump(run), "run_spec"))
run_minimal = {
    "id": str(RUN_ID),
    "project_name": "main",
    "user": "admin",
    "submitted_at": "2024-01-02T03:04:05Z",
    "last_processed_at": "2024-01-02T03:04:05Z",
    "status": "submitted",
    "run_spec": {"configuration": None},
    "jobs": [],
}
write("run.minimal", run_minimal)
run_minimal_model = dict(run_minimal, run_spec={"configuration": dump(task)})
write("run.minimal.expected", null_configuration(dump(Run.model_validate(run_minimal_model)), "run_spec"))

run_plan = RunPlan(
    project_name="main",
    user="admin",
    run_spec=run_spec,
    effective_run_spec=run_spec,
    job_plans=[{"job_spec": job_spec, "offers": [offer], "total_offers": 1, "max_price": 32.77}],
    current_resource=run,
    action="create",
)
plan = dump(run_plan)
null_configuration(plan, "run_spec")
null_configuration(plan, "effective_run_spec")
null_configuration(plan, "current_resource", "run_spec")
write("run-plan", plan)

user = {
    "id": USER_ID,
    "username": "admin",
    "created_at": T1,
    "global_role": "admin",
    "email": "admin@example.com",
    "active": True,
    "permissions": {"can_create_projects": True},
    "ssh_public_key": "ssh-rsa AAAA admin",
}
write("user", dump(User.model_validate(user)))
write("users-info-list", dump(UsersInfoList(total_count=None, users=[User.model_validate(user)])))
write(
    "user-with-creds",
    dump(UserWithCreds.model_validate(dict(user, creds={"token": "f0e1d2c3-token"}, ssh_private_key="-----BEGIN RSA PRIVATE KEY-----"))),
)
project = Project.model_validate(
    {
        "project_id": PROJECT_ID,
        "project_name": "main",
        "owner": user,
        "created_at": T1,
        "backends": [BackendInfo.model_validate({"name": "aws", "config": {"type": "aws", "regions": ["us-east-1"]}})],
        "members": [{"user": user, "project_role": "admin", "permissions": {"can_manage_ssh_fleets": True, "can_manage_secrets": True}}],
        "is_public": True,
        "templates_repo": None,
    }
)
write("project", dump(project))
write("projects-info-list", dump(ProjectsInfoList(total_count=7, projects=[project])))
project_minimal = {
    "project_id": str(PROJECT_ID),
    "project_name": "main",
    "owner": {"id": str(USER_ID), "username": "admin", "global_role": "admin", "active": True, "permissions": {"can_create_projects": True}},
    "backends": [],
    "members": [
        {
            "user": {"id": str(USER_ID), "username": "admin", "global_role": "user", "active": False, "permissions": {"can_create_projects": False}},
            "project_role": "manager",
            "permissions": {"can_manage_ssh_fleets": False},
        }
    ],
}
write("project.minimal", project_minimal)
write("project.minimal.expected", dump(Project.model_validate(project_minimal)))

write("secret", dump(Secret(id=SECRET_ID, name="HF_TOKEN", value="hf_secret")))
write("server-info", dump(ServerInfo(server_version="0.21.2")))

volume = Volume.model_validate(
    {
        "id": VOLUME_ID,
        "name": "data",
        "user": "admin",
        "project_name": "main",
        "configuration": {"type": "volume", "backend": "aws", "region": "us-east-1", "name": "data", "size": 100},
        "external": False,
        "created_at": T1,
        "last_processed_at": T2,
        "status": "active",
        "status_message": None,
        "deleted": False,
        "deleted_at": None,
        "volume_id": "vol-0123",
        "provisioning_data": {"backend": "aws", "volume_id": "vol-0123", "size_gb": 100, "availability_zone": "us-east-1a", "price": 8.0},
        "cost": 1.25,
        "attachments": [{"instance": {"name": "my-fleet-0", "fleet_name": "my-fleet", "instance_num": 0, "instance_id": "i-0123"}, "attachment_data": {"device_name": "/dev/sdf"}}],
        "attachment_data": None,
    }
)
write("volume", null_configuration(dump(volume)))

logs = JobSubmissionLogs.model_validate(
    {
        "logs": [
            {"timestamp": T1, "log_source": "stdout", "message": "aGVsbG8K"},
            {"timestamp": T2, "log_source": "stderr", "message": "d29ybGQK"},
        ],
        "external_url": None,
        "next_token": "2",
    }
)
write("job-submission-logs", dump(logs))
write("job-submission-logs.minimal", {"logs": []})
write("job-submission-logs.minimal.expected", dump(JobSubmissionLogs.model_validate({"logs": []})))

poll = PollLogsRequest(run_name="train", job_submission_id=JOB_ID, start_time=T2, next_token="17", limit=1000)
write("poll-logs-request", dump(poll))
poll_minimal = {"run_name": "train", "job_submission_id": str(JOB_ID)}
write("poll-logs-request.minimal", poll_minimal)
write("poll-logs-request.minimal.expected", dump(PollLogsRequest.model_validate(poll_minimal)))

write(
    "repo-head-with-creds",
    dump(
        RepoHeadWithCreds.model_validate(
            {
                "repo_id": "dstack-abc",
                "repo_info": {"repo_type": "remote", "repo_name": "dstack"},
                "repo_creds": {"clone_url": "https://github.com/dstackai/dstack.git", "private_key": None, "oauth_token": "ghp_x"},
            }
        )
    ),
)
