package ai.dstack.backend.azure.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.resources.CpuSpec;
import ai.dstack.api.resources.DiskSpec;
import ai.dstack.api.resources.GpuSpec;
import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.backend.azure.testing.AzureTestBackends;
import ai.dstack.backend.azure.testing.FakeArm;
import ai.dstack.backend.azure.testing.FakeArmSubscription;
import ai.dstack.backend.ssh.SshRemoteHostProvider;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.spi.host.RemoteHostConnector;
import ai.dstack.testing.BackendContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract, run by the Azure backend on the fake ARM. */
class AzureBackendContractTest extends BackendContract {
    private final JobSshKey key = JobSshKeys.generate();
    private FakeArmSubscription subscription;
    @TempDir
    Path dir;

    @Override
    protected Backend newBackend() {
        subscription = FakeArm.shared().newSubscription();
        return AzureTestBackends.backend(subscription, PROJECT, null);
    }

    @Override
    protected OfferRequirements cheapRequirements() {
        return new OfferRequirements(new ResourcesSpec(new CpuSpec(null, Range.atLeast(2)), Range.atLeast(4.0), null,
                GpuSpec.NONE, DiskSpec.DEFAULT), false, 1.0, List.of(), List.of());
    }

    @Override
    protected String projectPublicKey() {
        return key.publicKey();
    }

    @Override
    protected void assertReachable(ProvisioningData running) {
        try (RemoteHostConnector ssh = new SshRemoteHostProvider().connector(dir.resolve("ssh"))) {
            assertThat(ssh.host(new RemoteHostAddress(running.hostname(), running.sshPort(), running.username(),
                    key.privateKey(), "project key", null)).probe().cpus()).isPositive();
        }
    }

    @Override
    protected List<String> leftovers() {
        return subscription.leftovers();
    }
}
