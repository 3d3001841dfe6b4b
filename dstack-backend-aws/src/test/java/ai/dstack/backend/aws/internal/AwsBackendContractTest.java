package ai.dstack.backend.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.resources.CpuSpec;
import ai.dstack.api.resources.DiskSpec;
import ai.dstack.api.resources.GpuSpec;
import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.backend.aws.testing.AwsTestBackends;
import ai.dstack.backend.aws.testing.FakeEc2;
import ai.dstack.backend.aws.testing.FakeEc2Account;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.backend.ssh.SshRemoteHostProvider;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.spi.host.RemoteHostConnector;
import ai.dstack.testing.BackendContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import java.util.List;

/** The backend contract, run by the AWS backend on the fake EC2. */
class AwsBackendContractTest extends BackendContract {
    private final JobSshKey key = JobSshKeys.generate();
    private FakeEc2Account account;
    @TempDir
    Path dir;

    @Override
    protected Backend newBackend() {
        account = FakeEc2.shared().newAccount();
        return AwsTestBackends.backend(account, PROJECT, null);
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

    /** The SSH transport's own probe, over the project's key. */
    @Override
    protected void assertReachable(ProvisioningData running) {
        try (RemoteHostConnector ssh = new SshRemoteHostProvider().connector(dir.resolve("ssh"))) {
            assertThat(ssh.host(new RemoteHostAddress(running.hostname(), running.sshPort(), running.username(),
                    key.privateKey(), "project key", null)).probe().cpus()).isPositive();
        }
    }

    @Override
    protected List<String> leftovers() {
        return account.leftovers();
    }
}
