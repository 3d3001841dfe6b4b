package ai.dstack.core.internal.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.CreationPolicy;
import ai.dstack.api.configuration.Profile;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.repo.RunRepoData;
import ai.dstack.api.resources.GpuVendor;
import ai.dstack.api.run.RunSpec;
import org.junit.jupiter.api.Test;

class RunSpecDefaultsTest {
    private static final String TASK = "type: task\ncommands: [python train.py]\n";

    @Test
    void aMinimalTaskGetsDstacksServerDefaults() {
        RunSpec spec = Specs.submitted("train", TASK);

        TaskConfiguration task = (TaskConfiguration) spec.configuration();
        assertThat(spec.repoId()).isEqualTo("none");
        assertThat(spec.repoData()).isEqualTo(RunRepoData.virtual());
        assertThat(spec.sshKeyPub()).isEqualTo(Specs.USER_KEY);
        assertThat(task.base().priority()).isZero();
        assertThat(task.nodes()).isEqualTo(1);
        assertThat(task.base().resources().gpu().count().min()).isZero();
        assertThat(task.base().resources().gpu().vendor()).isEqualTo(GpuVendor.NVIDIA);
        assertThat(Specs.stored(spec, RunSpec.class)).isEqualTo(spec);
    }

    @Test
    void explicitValuesAreKept() {
        RunSpec spec = new RunSpecDefaults().apply(Specs.of("train", TASK + "priority: 50\nnodes: 2\n").toBuilder()
                .repo("my-repo", new RunRepoData.Local("/src")).sshKeyPub("ssh-rsa MINE").build(), Specs.USER_KEY);

        TaskConfiguration task = (TaskConfiguration) spec.configuration();
        assertThat(task.base().priority()).isEqualTo(50);
        assertThat(task.nodes()).isEqualTo(2);
        assertThat(spec.repoId()).isEqualTo("my-repo");
        assertThat(spec.sshKeyPub()).isEqualTo("ssh-rsa MINE");
    }

    @Test
    void theGpuVendorIsInferredAsDstackDoes() {
        assertThat(vendor("resources: {gpu: A100:2}")).isEqualTo(GpuVendor.NVIDIA);
        assertThat(vendor("resources: {gpu: 24GB}")).isEqualTo(GpuVendor.NVIDIA);
        assertThat(vendor("image: rocm/pytorch\nresources: {gpu: MI300X}")).isEqualTo(GpuVendor.AMD);
        assertThat(vendor("image: my/image\nresources: {gpu: 2}")).isNull();
        assertThat(vendor("resources: {gpu: \"H100,MYSTERY\"}")).isNull();
        assertThat(vendor("image: x\nresources: {gpu: \"A100,MI300X\"}")).isNull();
        assertThat(vendor("resources: {gpu: v5litepod-8}")).isEqualTo(GpuVendor.GOOGLE);
    }

    @Test
    void acceleratorsTheDefaultImageCannotServeNeedAnImage() {
        assertRejected(TASK + "resources: {gpu: MI300X:8}",
                "`image` must be set when the requested accelerator is not supported by the default image: ['amd']");
        assertRejected(TASK + "resources: {gpu: {vendor: tenstorrent, count: 1}}",
                "`image` must be set when the requested accelerator is not supported by the default image: ['tenstorrent']");
        assertThat(Specs.submitted("ok", TASK + "image: rocm/pytorch\nresources: {gpu: MI300X:8}").configuration()).isNotNull();
    }

    @Test
    void armNeedsAnImageAndNoDocker() {
        assertRejected(TASK + "resources: {cpu: arm:4}", "`image` must be set when ARM CPU requested");
        assertRejected("type: task\ndocker: true\ncommands: [ls]\nresources: {cpu: arm:4}", "`docker: true` is not supported on ARM CPU");
    }

    @Test
    void badSpecsAreRejectedWithDstacksMessages() {
        assertRejected(Specs.of("Train", TASK), "Resource name should match regex '^[a-z][a-z0-9-]{1,40}$'");
        assertRejected(Specs.of("t", TASK), "Resource name should match regex '^[a-z][a-z0-9-]{1,40}$'");
        assertRejected(Specs.of("train", TASK).toBuilder().repoData(RunRepoData.virtual()).build(),
                "repo_data must not be set if repo_id is not set");
        assertRejected(Specs.of("train", TASK).toBuilder().repoId("r").build(), "repo_id must not be set if repo_data is not set");
        assertRejected(TASK + "utilization_policy: {min_gpu_utilization: 10, time_window: 2h}",
                "Maximum utilization_policy.time_window is 3600s");
        assertRejected(TASK + "env: [\"IP=${{ groups[0].nodes[0].IP_ADDRESS }}\"]",
                "groups IP references are only supported in commands, not in `env`");
        assertRejected("type: task\nnodes: 2\ncommands: [\"ping ${{ groups[0].nodes[2].IP_ADDRESS }}\"]",
                "Invalid reference groups[0].nodes[2].IP_ADDRESS: out of range");
    }

    @Test
    void volumeTargetsFollowDockersRule() {
        assertThat(RunSpecDefaults.isValidDockerVolumeTarget("/data")).isTrue();
        assertThat(RunSpecDefaults.isValidDockerVolumeTarget("/")).isTrue();
        assertThat(RunSpecDefaults.isValidDockerVolumeTarget("/data/")).isFalse();
        assertThat(RunSpecDefaults.isValidDockerVolumeTarget("data")).isFalse();
        assertThat(RunSpecDefaults.isValidDockerVolumeTarget("/da\0ta")).isFalse();
    }

    @Test
    void aUserWithoutAKeyMustSendOne() {
        assertThatThrownBy(() -> new RunSpecDefaults().apply(Specs.of("train", TASK), null))
                .isInstanceOf(DstackException.class)
                .hasMessage("ssh_key_pub must be set if the user has no ssh_public_key");
    }

    @Test
    void theMergedProfileOverlaysTheConfigurationOnTheProfile() {
        ProfileParams params = new ProfileParams(null, java.util.List.of("eu-west-1"), null, null, null, SpotPolicy.SPOT,
                null, null, null, 1.0, null, null, null, null, null, null, null, null, null, null);
        RunSpec spec = Specs.of("train", TASK + "spot_policy: auto\n").toBuilder()
                .profile(new Profile(params, "mine", false)).build();

        Profile merged = MergedProfile.of(spec);

        assertThat(merged.name()).isEqualTo("mine");
        assertThat(merged.params().spotPolicy()).isEqualTo(SpotPolicy.AUTO);
        assertThat(merged.params().regions()).containsExactly("eu-west-1");
        assertThat(merged.params().maxPrice()).isEqualTo(1.0);
        assertThat(merged.params().creationPolicy()).isEqualTo(CreationPolicy.REUSE_OR_CREATE);
        assertThat(MergedProfile.of(spec.toBuilder().profile(null).build()).name()).isEqualTo("default");
    }

    private static GpuVendor vendor(String yaml) {
        RunSpec spec = Specs.submitted("train", TASK + yaml + "\n");
        return spec.configuration().base().resources().gpu().vendor();
    }

    private static void assertRejected(String yaml, String message) {
        assertRejected(Specs.of("train", yaml), message);
    }

    private static void assertRejected(RunSpec spec, String message) {
        assertThatThrownBy(() -> new RunSpecDefaults().apply(spec, Specs.USER_KEY))
                .isInstanceOf(DstackException.class)
                .hasMessage(message)
                .extracting(e -> ((DstackException) e).code()).isEqualTo(ErrorCode.ERROR);
    }
}
