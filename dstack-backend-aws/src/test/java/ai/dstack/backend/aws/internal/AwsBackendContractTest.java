package ai.dstack.backend.aws.internal;

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
import ai.dstack.testing.backend.BackendContractTest;
import java.util.ArrayList;
import java.util.List;

/** The backend contract, run by the AWS backend on the fake EC2. */
class AwsBackendContractTest extends BackendContractTest {
    private FakeEc2Account account;

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
    protected List<String> leftovers() {
        List<String> left = new ArrayList<>();
        account.liveInstances().forEach(i -> left.add("instance " + i.id + " " + i.state()));
        account.securityGroupNames().forEach(g -> left.add("security group " + g));
        account.keyPairNames().forEach(k -> left.add("key pair " + k));
        account.volumes().forEach(v -> left.add("volume " + v.id));
        account.placementGroupNames().forEach(g -> left.add("placement group " + g));
        return left;
    }
}
