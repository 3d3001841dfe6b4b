package ai.dstack.backend.aws.internal;

import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.PlacementGroupData;
import ai.dstack.spi.backend.PlacementGroupRequest;
import ai.dstack.spi.backend.PlacementGroupSupport;
import ai.dstack.spi.backend.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.PlacementStrategy;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/** EC2 cluster placement groups, for {@code placement: cluster} fleets. */
final class AwsPlacementGroups implements PlacementGroupSupport {
    static final String KIND = "placement-group";

    private final AwsClients clients;

    AwsPlacementGroups(AwsClients clients) {
        this.clients = clients;
    }

    @Override
    public PlacementGroupData create(PlacementGroupRequest request) {
        Ec2Client ec2 = clients.ec2(request.region());
        Map<String, String> tags = Tags.ofProject(request.project());
        tags.put(Tags.NAME, request.name());
        try {
            ec2.createPlacementGroup(r -> r.groupName(request.name()).strategy(PlacementStrategy.CLUSTER)
                    .tagSpecifications(t -> t.resourceType(ResourceType.PLACEMENT_GROUP).tags(AwsTags.of(tags))));
        } catch (SdkException e) {
            if (!"InvalidPlacementGroup.Duplicate".equals(AwsErrors.code(e))) {
                throw AwsErrors.map(e, "CreatePlacementGroup " + request.name() + " in " + request.region());
            }
        }
        return new PlacementGroupData(AwsBackend.TYPE, request.name(), request.region());
    }

    @Override
    public boolean delete(PlacementGroupData group) {
        return deleteByName(clients.ec2(group.region()), group.name());
    }

    boolean deleteByName(Ec2Client ec2, String name) {
        try {
            ec2.deletePlacementGroup(r -> r.groupName(name));
            return true;
        } catch (SdkException e) {
            String code = AwsErrors.code(e);
            if ("InvalidPlacementGroup.Unknown".equals(code)) {
                return true;
            }
            if ("InvalidPlacementGroup.InUse".equals(code)) {
                return false;
            }
            throw AwsErrors.map(e, "DeletePlacementGroup " + name);
        }
    }

    List<CloudResource> find(Ec2Client ec2, String region, List<Filter> filters) {
        List<CloudResource> found = new ArrayList<>();
        AwsNetwork.call("DescribePlacementGroups in " + region, () -> ec2.describePlacementGroups(
                r -> r.filters(filters)).placementGroups()).forEach(g -> found.add(new CloudResource(KIND,
                g.groupName(), region, AwsTags.toMap(g.tags()))));
        return found;
    }
}
