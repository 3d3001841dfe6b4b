package ai.dstack.backend.azure.internal;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.resources.ResourceManager;
import java.util.HashMap;
import java.util.Map;

/**
 * The SDK's ARM clients for one backend, on the JDK's HTTP client, with the credential its {@code creds} name.
 *
 * <p>Azure's public cloud unless {@code DSTACK_AZURE_RESOURCE_MANAGER_ENDPOINT} (system property
 * {@code dstack.azure.resourceManagerEndpoint}) and {@code AZURE_AUTHORITY_HOST} ({@code dstack.azure.authorityHost})
 * name other endpoints, e.g. a sovereign cloud, or the tests' fake ARM; with another authority host Azure AD's instance
 * discovery (a call to login.microsoftonline.com) is skipped. Long-running operations are polled as ARM's
 * {@code Retry-After} says.
 */
final class AzureClients {
    private final HttpClient http;
    private final ComputeManager compute;
    private final NetworkManager network;
    private final ResourceManager.Authenticated authenticated;

    AzureClients(AzureSettings settings) {
        this.http = new JdkHttpClientBuilder().build();
        AzureEnvironment environment = environment();
        AzureProfile profile = new AzureProfile(settings.tenantId(), settings.subscriptionId(), environment);
        TokenCredential credential = credential(settings, environment);
        this.compute = ComputeManager.configure().withHttpClient(http)
                .authenticate(credential, profile);
        this.network = NetworkManager.configure().withHttpClient(http)
                .authenticate(credential, profile);
        this.authenticated = ResourceManager.configure().withHttpClient(http)
                .authenticate(credential, profile);
    }

    ComputeManager compute() {
        return compute;
    }

    NetworkManager network() {
        return network;
    }

    ResourceManager resources() {
        return compute.resourceManager();
    }

    /** Subscriptions and tenants of the credential, before a subscription is chosen. */
    ResourceManager.Authenticated account() {
        return authenticated;
    }

    private static TokenCredential credential(AzureSettings settings, AzureEnvironment environment) {
        boolean customAuthority = !AzureEnvironment.AZURE.getActiveDirectoryEndpoint()
                .equals(environment.getActiveDirectoryEndpoint());
        if (settings.clientId() != null) {
            ClientSecretCredentialBuilder builder = new ClientSecretCredentialBuilder()
                    .tenantId(settings.credsTenantId()).clientId(settings.clientId())
                    .clientSecret(settings.clientSecret())
                    .authorityHost(environment.getActiveDirectoryEndpoint()).httpClient(new JdkHttpClientBuilder().build());
            if (customAuthority) {
                builder.disableInstanceDiscovery();
            }
            return builder.build();
        }
        DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder().tenantId(settings.tenantId())
                .authorityHost(environment.getActiveDirectoryEndpoint());
        if (customAuthority) {
            builder.disableInstanceDiscovery();
        }
        return builder.build();
    }

    /** Azure's public cloud, or its endpoints replaced as the settings say. */
    static AzureEnvironment environment() {
        String arm = setting("dstack.azure.resourceManagerEndpoint", "DSTACK_AZURE_RESOURCE_MANAGER_ENDPOINT", null);
        String authority = setting("dstack.azure.authorityHost", "AZURE_AUTHORITY_HOST", null);
        if (arm == null && authority == null) {
            return AzureEnvironment.AZURE;
        }
        // a full copy: the SDK reads other endpoints (graph, ...) and fails on a partial map
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        if (arm != null) {
            endpoints.put("resourceManagerEndpointUrl", arm.endsWith("/") ? arm : arm + "/");
        }
        if (authority != null) {
            endpoints.put("activeDirectoryEndpointUrl", authority.endsWith("/") ? authority : authority + "/");
        }
        return new AzureEnvironment(endpoints);
    }

    private static String setting(String property, String env, String dflt) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? dflt : value;
    }
}
