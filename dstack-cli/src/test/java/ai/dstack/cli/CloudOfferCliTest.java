package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.backend.aws.testing.AwsTestBackends;
import ai.dstack.backend.aws.testing.FakeEc2;
import ai.dstack.backend.aws.testing.FakeEc2Account;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.server.DstackServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dstack offer} lists an aws backend's offers (on the fake EC2) beside the local host's, cheapest first. */
class CloudOfferCliTest {
    @TempDir
    static Path dir;

    private static DstackServer server;
    private static CliEnvironment cli;

    @BeforeAll
    static void start() throws Exception {
        FakeEc2Account account = FakeEc2.shared().newAccount();
        server = TestServers.builder(dir).build().start();
        TestBackends.create(server, "main", AwsTestBackends.configuration(account, "main", null));
        cli = TestServers.cliFor(server, dir.resolve("home"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void offerListsAwsOffersFilteredByGpuAndBackend() {
        CliRun gpu = CliRun.in(cli, "offer", "--gpu", "A10G:1", "-b", "aws");
        assertThat(gpu.exitCode()).as("%s", gpu).isZero();
        // g5.xlarge and g5.2xlarge, cheapest first
        assertThat(gpu.out()).contains("aws", "us-east-1", "1xA10G (24GB)").doesNotContain("remote");
        assertThat(gpu.out().indexOf("$1.006")).as("cheapest first").isPositive()
                .isLessThan(gpu.out().indexOf("$1.212"));

        CliRun spot = CliRun.in(cli, "offer", "--gpu", "T4", "--spot");
        assertThat(spot.exitCode()).as("%s", spot).isZero();
        assertThat(spot.out()).contains("aws", "1xT4 (16GB)", "yes").doesNotContain(" no ");
        // a backend the project does not have is refused by name, not answered with nothing
        CliRun gcp = CliRun.in(cli, "offer", "-b", "gcp");
        assertThat(gcp.exitCode()).as("%s", gcp).isNotZero();
        assertThat(gcp.err()).contains("`backends`", "gcp is not among them", "aws");
    }
}
