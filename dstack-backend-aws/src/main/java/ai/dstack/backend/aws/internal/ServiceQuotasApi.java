package ai.dstack.backend.aws.internal;

import ai.dstack.spi.backend.BackendException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.endpoint.AwsClientEndpointProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;

/**
 * The one Service Quotas call the backend needs, {@code GetServiceQuota}, spoken in the service's own protocol
 * (awsJson1_1: {@code POST /} with {@code X-Amz-Target: ServiceQuotasV20190624.GetServiceQuota} and a JSON body),
 * signed with the SDK's SigV4 signer and sent with the backend's HTTP client: the SDK's {@code servicequotas} module
 * does not resolve here. The endpoint is the SDK's for the service, so its settings apply as to the generated clients
 * ({@code AWS_ENDPOINT_URL_SERVICE_QUOTAS} / {@code aws.endpointUrlServiceQuotas}, {@code AWS_ENDPOINT_URL},
 * {@code endpoint_url} in the shared config file).
 */
final class ServiceQuotasApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "ServiceQuotasV20190624.GetServiceQuota";

    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final URI endpoint;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    ServiceQuotasApi(SdkHttpClient http, AwsCredentialsProvider credentials, String region) {
        this.http = http;
        this.credentials = credentials;
        this.region = region;
        this.endpoint = AwsClientEndpointProvider.builder()
                .serviceEndpointOverrideEnvironmentVariable("AWS_ENDPOINT_URL_SERVICE_QUOTAS")
                .serviceEndpointOverrideSystemProperty("aws.endpointUrlServiceQuotas")
                .serviceProfileProperty("service_quotas").serviceEndpointPrefix("servicequotas")
                .defaultProtocol("https").region(Region.of(region)).build().clientEndpoint();
    }

    /** The quota's value; null when it has none. */
    Double quotaValue(String serviceCode, String quotaCode) {
        byte[] body = JSON.createObjectNode().put("ServiceCode", serviceCode).put("QuotaCode", quotaCode).toString()
                .getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
                .encodedPath(endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/"
                        : endpoint.getRawPath())
                .putHeader("Content-Type", "application/x-amz-json-1.1").putHeader("X-Amz-Target", TARGET)
                .putHeader("Content-Length", String.valueOf(body.length)).build();
        SignedRequest signed = signer.sign(r -> r.identity(credentials.resolveCredentials()).request(request)
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "servicequotas")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        String doing = "GetServiceQuota " + serviceCode + "/" + quotaCode + " in " + region;
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null)).build()).call();
            JsonNode reply;
            try (InputStream in = response.responseBody().orElse(null)) {
                reply = in == null ? JSON.createObjectNode() : JSON.readTree(in);
            }
            int status = response.httpResponse().statusCode();
            if (status / 100 != 2) {
                // awsJson1_1 errors: {"__type": "...#Code" or "Code", "message": "..."}, or the x-amzn-ErrorType header
                String type = reply.path("__type").asText(response.httpResponse()
                        .firstMatchingHeader("x-amzn-ErrorType").orElse("HTTP " + status));
                String code = type.substring(type.lastIndexOf('#') + 1).split(":")[0];
                String words = reply.has("message") ? reply.get("message").asText()
                        : reply.path("Message").asText("HTTP " + status);
                throw new BackendException(AwsErrors.failure(code), "aws: " + doing + ": " + code + ": " + words,
                        code, words, null);
            }
            JsonNode value = reply.path("Quota").path("Value");
            return value.isNumber() ? value.asDouble() : null;
        } catch (IOException e) {
            throw new BackendException(ai.dstack.spi.backend.BackendFailure.OTHER, "aws: " + doing + " failed: "
                    + e.getMessage(), null, e.getMessage(), e);
        }
    }
}
