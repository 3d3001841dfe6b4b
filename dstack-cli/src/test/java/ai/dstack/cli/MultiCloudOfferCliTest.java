package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.backend.aws.testing.AwsTestBackends;
import ai.dstack.backend.aws.testing.FakeEc2;
import ai.dstack.backend.azure.testing.AzureTestBackends;
import ai.dstack.backend.azure.testing.FakeArm;
import ai.dstack.backend.gcp.testing.FakeGce;
import ai.dstack.backend.gcp.testing.GcpTestBackends;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.server.DstackServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dstack offer} with aws, gcp and azure configured (on their fakes) lists the three clouds' offers side by side,
 * cheapest first.
 */
class MultiCloudOfferCliTest {
    private static final Pattern PRICE = Pattern.compile("\\$(\\d+\\.\\d+)");

    @TempDir
    static Path dir;

    private static DstackServer server;
    private static CliEnvironment cli;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.builder(dir).build().start();
        TestBackends.create(server, "main", AwsTestBackends.configuration(FakeEc2.shared().newAccount(), "main", null));
        TestBackends.create(server, "main", GcpTestBackends.configuration(FakeGce.shared().newProject(), "main", null));
        TestBackends.create(server, "main", AzureTestBackends.configuration(FakeArm.shared().newSubscription(), "main",
                null));
        cli = TestServers.cliFor(server, dir.resolve("home"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void offerListsAwsGcpAndAzureSideBySideCheapestFirst() {
        CliRun t4 = CliRun.in(cli, "offer", "--gpu", "T4:1");
        assertThat(t4.exitCode()).as("%s", t4).isZero();
        List<String> rows = t4.out().lines().filter(l -> l.contains("T4")).toList();
        // aws g4dn.xlarge and azure Standard_NC4as_T4_v3 ($0.526), gcp n1-standard-4 + T4 ($0.54), ...
        assertThat(rows).anyMatch(l -> l.contains(" aws ") && l.contains("4xCPU, 16GB, 1xT4 (16GB)"))
                .anyMatch(l -> l.contains(" gcp ") && l.contains("us-central1") && l.contains("4xCPU, 15GB, 1xT4"))
                .anyMatch(l -> l.contains(" azure ") && l.contains("eastus") && l.contains("4xCPU, 28GB, 1xT4"));
        List<Double> prices = new ArrayList<>();
        for (String row : rows) {
            Matcher m = PRICE.matcher(row);
            if (m.find()) {
                prices.add(Double.parseDouble(m.group(1)));
            }
        }
        assertThat(prices).hasSize(rows.size()).isSorted();
        int firstGcp = indexOf(rows, "gcp");
        int firstAws = indexOf(rows, "aws");
        int firstAzure = indexOf(rows, "azure");
        assertThat(List.of(firstGcp, firstAws, firstAzure)).as("the three clouds in one list").doesNotContain(-1);
    }

    private static int indexOf(List<String> rows, String backend) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).contains(" " + backend + " ")) {
                return i;
            }
        }
        return -1;
    }
}
