package ai.dstack.backend.gcp.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.rpc.ClientSettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.compute.v1.DisksClient;
import com.google.cloud.compute.v1.DisksSettings;
import com.google.cloud.compute.v1.FirewallsClient;
import com.google.cloud.compute.v1.FirewallsSettings;
import com.google.cloud.compute.v1.GlobalOperationsClient;
import com.google.cloud.compute.v1.GlobalOperationsSettings;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.InstancesSettings;
import com.google.cloud.compute.v1.MachineTypesClient;
import com.google.cloud.compute.v1.MachineTypesSettings;
import com.google.cloud.compute.v1.AcceleratorTypesClient;
import com.google.cloud.compute.v1.AcceleratorTypesSettings;
import com.google.cloud.compute.v1.ProjectsClient;
import com.google.cloud.compute.v1.ProjectsSettings;
import com.google.cloud.compute.v1.RegionOperationsClient;
import com.google.cloud.compute.v1.RegionOperationsSettings;
import com.google.cloud.compute.v1.ResourcePoliciesClient;
import com.google.cloud.compute.v1.ResourcePoliciesSettings;
import com.google.cloud.compute.v1.RoutersClient;
import com.google.cloud.compute.v1.RoutersSettings;
import com.google.cloud.compute.v1.ZoneOperationsClient;
import com.google.cloud.compute.v1.ZoneOperationsSettings;
import com.google.cloud.compute.v1.ZonesClient;
import com.google.cloud.compute.v1.ZonesSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Compute Engine clients of one backend (REST transport), made on first use so that creating a backend makes no
 * call: application default credentials may look for the metadata server.
 *
 * <p>The endpoint is Google's unless {@code DSTACK_GCP_COMPUTE_ENDPOINT} (or the system property
 * {@code dstack.gcp.computeEndpoint}) names another, e.g. a Compute-compatible endpoint or a test's fake. A service
 * account key's {@code token_uri} says where tokens come from.
 */
final class GcpClients implements AutoCloseable {
    static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

    private final GcpSettings settings;
    private final List<AutoCloseable> open = new ArrayList<>();
    private volatile CredentialsProvider credentials;

    private volatile InstancesClient instances;
    private volatile ZoneOperationsClient zoneOperations;
    private volatile RegionOperationsClient regionOperations;
    private volatile GlobalOperationsClient globalOperations;
    private volatile FirewallsClient firewalls;
    private volatile DisksClient disks;
    private volatile ResourcePoliciesClient resourcePolicies;
    private volatile MachineTypesClient machineTypes;
    private volatile AcceleratorTypesClient acceleratorTypes;
    private volatile ZonesClient zones;
    private volatile ProjectsClient projects;
    private volatile RoutersClient routers;

    GcpClients(GcpSettings settings) {
        this.settings = settings;
    }

    static String endpoint() {
        String value = System.getProperty("dstack.gcp.computeEndpoint");
        if (value == null || value.isBlank()) {
            value = System.getenv("DSTACK_GCP_COMPUTE_ENDPOINT");
        }
        return value == null || value.isBlank() ? null : value;
    }

    InstancesClient instances() {
        if (instances == null) {
            instances = make(() -> InstancesClient.create(build(InstancesSettings.newBuilder())));
        }
        return instances;
    }

    ZoneOperationsClient zoneOperations() {
        if (zoneOperations == null) {
            zoneOperations = make(() -> ZoneOperationsClient.create(build(ZoneOperationsSettings.newBuilder())));
        }
        return zoneOperations;
    }

    RegionOperationsClient regionOperations() {
        if (regionOperations == null) {
            regionOperations = make(() -> RegionOperationsClient.create(build(RegionOperationsSettings.newBuilder())));
        }
        return regionOperations;
    }

    GlobalOperationsClient globalOperations() {
        if (globalOperations == null) {
            globalOperations = make(() -> GlobalOperationsClient.create(build(GlobalOperationsSettings.newBuilder())));
        }
        return globalOperations;
    }

    FirewallsClient firewalls() {
        if (firewalls == null) {
            firewalls = make(() -> FirewallsClient.create(build(FirewallsSettings.newBuilder())));
        }
        return firewalls;
    }

    DisksClient disks() {
        if (disks == null) {
            disks = make(() -> DisksClient.create(build(DisksSettings.newBuilder())));
        }
        return disks;
    }

    ResourcePoliciesClient resourcePolicies() {
        if (resourcePolicies == null) {
            resourcePolicies = make(() -> ResourcePoliciesClient.create(build(ResourcePoliciesSettings.newBuilder())));
        }
        return resourcePolicies;
    }

    MachineTypesClient machineTypes() {
        if (machineTypes == null) {
            machineTypes = make(() -> MachineTypesClient.create(build(MachineTypesSettings.newBuilder())));
        }
        return machineTypes;
    }

    AcceleratorTypesClient acceleratorTypes() {
        if (acceleratorTypes == null) {
            acceleratorTypes = make(() -> AcceleratorTypesClient.create(build(AcceleratorTypesSettings.newBuilder())));
        }
        return acceleratorTypes;
    }

    ZonesClient zones() {
        if (zones == null) {
            zones = make(() -> ZonesClient.create(build(ZonesSettings.newBuilder())));
        }
        return zones;
    }

    ProjectsClient projects() {
        if (projects == null) {
            projects = make(() -> ProjectsClient.create(build(ProjectsSettings.newBuilder())));
        }
        return projects;
    }

    RoutersClient routers() {
        if (routers == null) {
            routers = make(() -> RoutersClient.create(build(RoutersSettings.newBuilder())));
        }
        return routers;
    }

    private interface Maker<T> {
        T make() throws IOException;
    }

    private synchronized <T extends AutoCloseable> T make(Maker<T> maker) {
        try {
            T client = maker.make();
            open.add(client);
            return client;
        } catch (IOException e) {
            throw new BackendException(BackendFailure.OTHER, "gcp: cannot make a Compute Engine client: "
                    + e.getMessage(), null, e.getMessage(), e);
        }
    }

    private <S extends ClientSettings<S>, B extends ClientSettings.Builder<S, B>> S build(B builder)
            throws IOException {
        builder.setCredentialsProvider(credentials());
        String endpoint = endpoint();
        if (endpoint != null) {
            builder.setEndpoint(endpoint);
        }
        return builder.build();
    }

    /** A current OAuth access token of the backend's credentials, for the APIs called over plain REST (TPU). */
    String accessToken() {
        try {
            GoogleCredentials google = (GoogleCredentials) credentials().getCredentials();
            google.refreshIfExpired();
            return google.getAccessToken().getTokenValue();
        } catch (IOException e) {
            throw new BackendException(BackendFailure.INVALID_CREDENTIALS, "Invalid credentials: gcp: no access "
                    + "token: " + e.getMessage(), null, e.getMessage(), e);
        }
    }

    private CredentialsProvider credentials() throws IOException {
        if (credentials == null) {
            GoogleCredentials google;
            if (settings.serviceAccountJson() != null) {
                try {
                    google = GoogleCredentials.fromStream(new ByteArrayInputStream(
                            settings.serviceAccountJson().getBytes(StandardCharsets.UTF_8)));
                } catch (IOException | RuntimeException e) {
                    throw new BackendException(BackendFailure.INVALID_CREDENTIALS, "Invalid credentials: the gcp "
                            + "service account key is not a valid key JSON: " + e.getMessage(), null, e.getMessage(),
                            e);
                }
            } else {
                google = GoogleCredentials.getApplicationDefault();
            }
            credentials = FixedCredentialsProvider.create(google.createScoped(List.of(SCOPE)));
        }
        return credentials;
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable client : open) {
            try {
                client.close();
            } catch (Exception ignored) {
                // closing only releases the transport
            }
        }
        open.clear();
    }
}
