package ai.dstack.backend.aws.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * One EC2 and one Service Quotas client per region, sharing the JDK HTTP client and the credentials. No endpoint is
 * set here: the SDK's own settings ({@code AWS_ENDPOINT_URL_EC2}, {@code AWS_ENDPOINT_URL_SERVICE_QUOTAS},
 * {@code AWS_ENDPOINT_URL}, the shared config file) decide it.
 */
final class AwsClients implements AutoCloseable {
    private final SdkHttpClient http = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60)).build();
    private final AwsCredentialsProvider credentials;
    private final Map<String, Ec2Client> clients = new ConcurrentHashMap<>();
    private final Map<String, ServiceQuotasApi> quotas = new ConcurrentHashMap<>();

    AwsClients(AwsSettings settings) {
        this.credentials = settings.accessKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(),
                        settings.secretKey()))
                : DefaultCredentialsProvider.builder().build();
    }

    Ec2Client ec2(String region) {
        return clients.computeIfAbsent(region, r -> Ec2Client.builder().region(Region.of(r))
                .credentialsProvider(credentials).httpClient(http).build());
    }

    /** Service Quotas of the region ({@code AWS_ENDPOINT_URL_SERVICE_QUOTAS} and the like decide its endpoint). */
    ServiceQuotasApi serviceQuotas(String region) {
        return quotas.computeIfAbsent(region, r -> new ServiceQuotasApi(http, credentials, r));
    }

    @Override
    public void close() {
        clients.values().forEach(Ec2Client::close);
        http.close();
        if (credentials instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // closing the default chain only stops its refresh threads
            }
        }
    }
}
