package ai.dstack.api.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.CreationPolicy;
import ai.dstack.api.configuration.EntityReference;
import ai.dstack.api.configuration.Env;
import ai.dstack.api.configuration.InstanceMountPoint;
import ai.dstack.api.configuration.InstanceSelector;
import ai.dstack.api.configuration.MountPoint;
import ai.dstack.api.configuration.OffDuration;
import ai.dstack.api.configuration.Profile;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.ProfileRetry;
import ai.dstack.api.configuration.RegistryAuth;
import ai.dstack.api.configuration.RepoExistsAction;
import ai.dstack.api.configuration.RetryFlag;
import ai.dstack.api.configuration.RetrySpec;
import ai.dstack.api.configuration.Schedule;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.configuration.StartupOrder;
import ai.dstack.api.configuration.StopCriteria;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.configuration.UtilizationPolicy;
import ai.dstack.api.configuration.VolumeMountPoint;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.json.WireSamples;
import ai.dstack.api.repo.RunRepoData;
import ai.dstack.api.resources.ComputeCapability;
import ai.dstack.api.resources.CpuArch;
import ai.dstack.api.resources.CpuSpec;
import ai.dstack.api.resources.DiskSpec;
import ai.dstack.api.resources.GpuSpec;
import ai.dstack.api.resources.GpuVendor;
import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Run, fleet and job specs read back from the JSON they are stored as, field for field. */
class SpecRoundTripTest {
    private static final ProfileParams EVERY_PARAM = new ProfileParams(
            List.of(BackendType.AWS, BackendType.GCP), List.of("us-east-1"), List.of("us-east-1a"), List.of("p4d.24xlarge"),
            "cr-123", SpotPolicy.AUTO, new ProfileRetry(List.of(RetryEvent.NO_CAPACITY, RetryEvent.ERROR), 1800L),
            OffDuration.OFF, OffDuration.ofSeconds(120), 2.5, CreationPolicy.REUSE, -1L, new UtilizationPolicy(10, 600),
            StartupOrder.WORKERS_FIRST, StopCriteria.MASTER_DONE, new Schedule(List.of("0 * * * *", "30 2 * * 1")),
            List.of(new EntityReference(null, "my-fleet"), new EntityReference("other", "shared")),
            List.of(new InstanceSelector.ByName("my-fleet-0"), new InstanceSelector.ByHostname("10.0.0.5"),
                    new InstanceSelector.ByFleetInstance(new EntityReference("other", "shared"), 3)),
            Map.of("team", "ml"), List.of(Map.of("type", "aws", "efa", true)));

    @Test
    void theMinimalTaskRunSpecOfTheReferenceReadsAndWritesBackAsAFullDump() {
        JsonNode sample = WireSamples.tree("run-spec-task");

        RunSpec spec = WireSamples.read("run-spec-task", RunSpec.class);

        assertThat(spec.configuration()).isInstanceOf(TaskConfiguration.class);
        assertThat(spec.profile()).isEqualTo(Profile.defaultProfile());
        // The CLI leaves out a task's null `nodes` and `groups`; a full dump, like the server's, has them.
        ObjectNode fullDump = sample.deepCopy();
        ((ObjectNode) fullDump.get("configuration")).putNull("nodes").putNull("groups");
        assertThat(WireSamples.written(spec)).isEqualTo(fullDump);
    }

    @Test
    void aRunSpecWithEveryProfileParameterSetRoundTrips() throws Exception {
        RunSpec spec = WireSamples.read("run-spec-task", RunSpec.class).toBuilder()
                .repo("my-repo", new RunRepoData.Remote("dstack", "master", "abc123", null, null))
                .profile(new Profile(EVERY_PARAM, "gpu-profile", true))
                .sshKeyPub("ssh-ed25519 AAAA me@host")
                .build();

        JsonNode json = WireSamples.written(spec);
        RunSpec read = DstackJson.mapper().treeToValue(json, RunSpec.class);

        assertThat(read).isEqualTo(spec);
        assertThat(WireSamples.written(read)).isEqualTo(json);
        assertThat(json.get("profile").get("name").asText()).isEqualTo("gpu-profile");
        assertThat(json.get("profile").get("default").asBoolean()).isTrue();
        assertThat(json.get("profile").get("max_duration").asText()).isEqualTo("off");
        assertThat(json.get("profile").has("params")).isFalse();
    }

    @Test
    void aFleetSpecProfileRoundTrips() throws Exception {
        FleetSpec spec = new FleetSpec(null, "fleet.dstack.yml", new Profile(EVERY_PARAM, "", false), false);

        FleetSpec read = DstackJson.mapper().treeToValue(WireSamples.written(spec), FleetSpec.class);

        assertThat(read).isEqualTo(spec);
    }

    @Test
    void aJobSpecWithEveryTypedFieldSetRoundTrips() throws Exception {
        ResourcesSpec resources = new ResourcesSpec(new CpuSpec(CpuArch.X86, new Range<>(4, 8)), new Range<>(16.0, 64.0),
                2.0, new GpuSpec(GpuVendor.NVIDIA, List.of("A100", "H100"), Range.exactly(2), Range.atLeast(40.0),
                        new Range<>(null, 200.0), new ComputeCapability(8, 0)),
                new DiskSpec(Range.atLeast(200.0)));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("B", "2");
        env.put("A", "${{ secrets.TOKEN }}");
        JobSpec spec = new JobSpec(1, 2, "train-2-1", 4, "0",
                List.of(new AppSpec(8080, 80, "app_0", null, null)), new UnixUser(1000, null, null, "users"),
                List.of("/bin/bash", "-i", "-c", "python train.py"), env, "/root", "dstackai/base:0.15-base-ubuntu24.04",
                true, true, 7200, 300, new UtilizationPolicy(5, 900), new RegistryAuth("me", "${{ secrets.PASS }}"),
                new Requirements(resources, 3.5, null, "cr-1", true, List.of(Map.of("type", "aws"))),
                new Retry(List.of(RetryEvent.INTERRUPTION), 600),
                List.<MountPoint>of(new VolumeMountPoint(List.of("data-0", "data-1"), "/data", true),
                        VolumeMountPoint.of("cache", "/cache"), new InstanceMountPoint("/mnt/x", "/x", true)),
                new JobSshKey("PRIVATE", "ssh-rsa PUBLIC"), "/workflow", RunRepoData.virtual(), null, "/workflow",
                RepoExistsAction.SKIP, List.of(new FileArchiveMapping(UUID.randomUUID(), "/a")), 8000,
                List.of(), 1, "workers", 1);

        JsonNode json = WireSamples.written(spec);
        JobSpec read = DstackJson.mapper().treeToValue(json, JobSpec.class);

        assertThat(read).isEqualTo(spec);
        assertThat(json.at("/requirements/resources/gpu/compute_capability").toString()).isEqualTo("[8,0]");
        assertThat(json.at("/volumes/0/name").toString()).isEqualTo("[\"data-0\",\"data-1\"]");
        assertThat(json.at("/volumes/1/name").asText()).isEqualTo("cache");
        assertThat(json.at("/repo_exists_action").asText()).isEqualTo("skip");
    }

    @Test
    void wireShorthandsReadIntoTheirTypes() throws Exception {
        var mapper = DstackJson.mapper();

        assertThat(mapper.readValue("true", RetrySpec.class)).isEqualTo(new RetryFlag(true));
        assertThat(mapper.readValue("{\"on_events\":null,\"duration\":null}", RetrySpec.class))
                .isEqualTo(new ProfileRetry(null, null));
        assertThat(mapper.readValue("\"off\"", OffDuration.class)).isEqualTo(OffDuration.OFF);
        assertThat(mapper.readValue("300", OffDuration.class)).isEqualTo(OffDuration.ofSeconds(300));
        assertThat(mapper.readValue("\"7.5\"", ComputeCapability.class)).isEqualTo(new ComputeCapability(7, 5));
        assertThat(mapper.readValue("\"team/fleet\"", EntityReference.class)).isEqualTo(new EntityReference("team", "fleet"));
        assertThat(mapper.readValue("\"node-1\"", InstanceSelector.class)).isEqualTo(new InstanceSelector.ByName("node-1"));
        assertThat(mapper.readValue("{\"fleet\":\"f\",\"instance\":0}", InstanceSelector.class))
                .isEqualTo(new InstanceSelector.ByFleetInstance(new EntityReference(null, "f"), 0));
        assertThat(mapper.readValue("{\"cron\":\"0 0 * * *\"}", Schedule.class)).isEqualTo(new Schedule(List.of("0 0 * * *")));
        Env env = mapper.readValue("{\"A\":\"1\",\"HF_TOKEN\":{\"key\":\"HF_TOKEN\"}}", Env.class);
        assertThat(env.unresolved()).containsExactly("HF_TOKEN");
        assertThat(mapper.writeValueAsString(env)).isEqualTo("{\"A\":\"1\",\"HF_TOKEN\":{\"key\":\"HF_TOKEN\"}}");
    }

    @Test
    void aMalformedMountPointIsRejectedNamingTheProblem() {
        assertThatThrownBy(() ->
                        DstackJson.mapper().readValue("{\"name\":[],\"path\":\"/data\"}", MountPoint.class))
                .hasMessageContaining("`name` must be a string or a non-empty list of strings");
    }
}
