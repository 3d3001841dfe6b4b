package ai.dstack.storage.logs;

import ai.dstack.storage.logs.internal.CloudWatchLogStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/** A CloudWatch log store on a {@link FakeCloudWatchLogs}, the way the provider builds one but with test keys. */
final class CloudWatchTesting {
    static final String GROUP = "dstack-runs";
    static final String REGION = "eu-west-1";

    private CloudWatchTesting() {}

    /**
     * Test keys for stores the provider builds: its credentials chain starts with these system properties. Set for
     * the rest of the test JVM (never cleared), so test classes cannot race on them.
     */
    static void useTestKeys() {
        System.setProperty("aws.accessKeyId", "AKIDTEST");
        System.setProperty("aws.secretAccessKey", "secret");
    }

    /** "Now" an hour after {@code t0}, so that events around {@code t0} are within CloudWatch's accepted ages. */
    static Clock clockAfter(Instant t0) {
        return Clock.fixed(t0.plusSeconds(3600), ZoneOffset.UTC);
    }

    static CloudWatchLogsClient client(FakeCloudWatchLogs fake) {
        return CloudWatchLogsClient.builder()
                .endpointOverride(fake.endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    static CloudWatchLogStore open(FakeCloudWatchLogs fake, Clock clock) {
        return CloudWatchLogStore.open(client(fake), GROUP, clock);
    }
}
