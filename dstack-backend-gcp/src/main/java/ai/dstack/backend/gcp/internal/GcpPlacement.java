package ai.dstack.backend.gcp.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.PlacementGroupData;
import ai.dstack.spi.backend.PlacementGroupRequest;
import ai.dstack.spi.backend.PlacementGroupSupport;
import ai.dstack.spi.backend.Tags;
import com.google.cloud.compute.v1.DeleteResourcePolicyRequest;
import com.google.cloud.compute.v1.InsertResourcePolicyRequest;
import com.google.cloud.compute.v1.ResourcePolicy;
import com.google.cloud.compute.v1.ResourcePolicyGroupPlacementPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Compact placement policies ({@code COLLOCATED} resource policies) for {@code placement: cluster}. */
final class GcpPlacement implements PlacementGroupSupport {
    static final String KIND = "placement-policy";

    private final GcpSettings settings;
    private final GcpClients clients;
    private final GcpOperations operations;

    GcpPlacement(GcpSettings settings, GcpClients clients, GcpOperations operations) {
        this.settings = settings;
        this.clients = clients;
        this.operations = operations;
    }

    @Override
    public PlacementGroupData create(PlacementGroupRequest request) {
        Map<String, String> tags = Tags.ofProject(request.project());
        tags.put(Tags.NAME, request.name());
        String name = GcpNames.resourceName(request.name());
        ResourcePolicy policy = ResourcePolicy.newBuilder().setName(name).setDescription(GcpDescriptions.of(tags))
                .setGroupPlacementPolicy(ResourcePolicyGroupPlacementPolicy.newBuilder().setCollocation("COLLOCATED"))
                .build();
        operations.run("resourcePolicies.insert " + name, () -> clients.resourcePolicies().insertCallable().call(
                InsertResourcePolicyRequest.newBuilder().setProject(settings.projectId()).setRegion(request.region())
                        .setResourcePolicyResource(policy).build()));
        return new PlacementGroupData(GcpBackend.TYPE, name, request.region());
    }

    @Override
    public boolean delete(PlacementGroupData group) {
        return deleteByName(group.region(), group.name());
    }

    boolean deleteByName(String region, String name) {
        try {
            operations.run("resourcePolicies.delete " + name, () -> clients.resourcePolicies().deleteCallable()
                    .call(DeleteResourcePolicyRequest.newBuilder().setProject(settings.projectId()).setRegion(region)
                            .setResourcePolicy(name).build()));
            return true;
        } catch (BackendException e) {
            if (e.failure() == BackendFailure.NOT_FOUND) {
                return true;
            }
            if ("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE".equals(e.cloudCode())) {
                return false;
            }
            throw e;
        }
    }

    List<CloudResource> find(Map<String, String> tags) {
        List<CloudResource> found = new ArrayList<>();
        try {
            clients.resourcePolicies().aggregatedList(settings.projectId()).iterateAll().forEach(e -> e.getValue()
                    .getResourcePoliciesList().forEach(p -> {
                        Map<String, String> policyTags = GcpDescriptions.tags(p.getDescription());
                        if (policyTags != null && policyTags.entrySet().containsAll(tags.entrySet())) {
                            found.add(new CloudResource(KIND, p.getName(), GcpOperations.last(p.getRegion()),
                                    policyTags));
                        }
                    }));
        } catch (RuntimeException e) {
            throw GcpErrors.map(e, "resourcePolicies.aggregatedList");
        }
        return found;
    }
}
