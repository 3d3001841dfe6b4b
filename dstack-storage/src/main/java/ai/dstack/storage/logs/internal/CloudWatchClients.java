package ai.dstack.storage.logs.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.logs.LogStore;
import java.net.URI;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClientBuilder;

/**
 * Builds the CloudWatch Logs client the way dstack's boto3 session does: AWS's default credentials (environment,
 * profile, instance or task role) and region (unless given), over the JDK's HTTP client. The only class that touches
 * the SDK's set-up, so that the provider loads without the SDK on the class path.
 */
public final class CloudWatchClients {
    private CloudWatchClients() {}

    /** Opens a store on an existing log group; {@code region} and {@code endpoint} may be {@code null}. */
    public static LogStore openStore(String group, String region, String endpoint, Clock clock) {
        CloudWatchLogsClientBuilder builder = CloudWatchLogsClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(region != null ? Region.of(region) : defaultRegion());
        if (endpoint != null) {
            builder.endpointOverride(endpointUri(endpoint));
        }
        return CloudWatchLogStore.open(builder.build(), group, clock);
    }

    private static Region defaultRegion() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "No AWS region for the CloudWatch log group: set "
                    + "DSTACK_SERVER_CLOUDWATCH_LOG_REGION (or AWS_REGION)");
        }
    }

    private static URI endpointUri(String endpoint) {
        try {
            URI uri = URI.create(endpoint);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST,
                    "Invalid CloudWatch Logs endpoint '" + endpoint + "': expected a URL such as https://logs.example");
        }
    }
}
