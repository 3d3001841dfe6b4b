package ai.dstack.backend.azure.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.PlacementGroupData;
import ai.dstack.spi.backend.PlacementGroupRequest;
import ai.dstack.spi.backend.PlacementGroupSupport;
import ai.dstack.spi.backend.Tags;
import com.azure.resourcemanager.compute.fluent.models.ProximityPlacementGroupInner;
import com.azure.resourcemanager.compute.models.ProximityPlacementGroupType;
import java.util.Locale;
import java.util.Map;

/** {@code placement: cluster} on Azure: a proximity placement group in the project's resource group. */
final class AzurePlacement implements PlacementGroupSupport {
    static final String KIND = "placement-group";
    static final String TYPE = "Microsoft.Compute/proximityPlacementGroups";

    private final AzureSettings settings;
    private final AzureClients clients;
    private final Runnable ensureGroup;

    AzurePlacement(AzureSettings settings, AzureClients clients, Runnable ensureGroup) {
        this.settings = settings;
        this.clients = clients;
        this.ensureGroup = ensureGroup;
    }

    @Override
    public PlacementGroupData create(PlacementGroupRequest request) {
        ensureGroup.run();
        Map<String, String> tags = Tags.ofProject(request.project());
        tags.put(Tags.NAME, request.name());
        String name = AzureNames.vmName(request.name());
        try {
            clients.compute().serviceClient().getProximityPlacementGroups().createOrUpdate(settings.group(), name,
                    new ProximityPlacementGroupInner().withProximityPlacementGroupType(ProximityPlacementGroupType.STANDARD)
                            .withLocation(request.region()).withTags(tags));
        } catch (RuntimeException e) {
            throw AzureErrors.map(e, "creating proximity placement group " + name);
        }
        return new PlacementGroupData(AzureBackend.TYPE, name, request.region());
    }

    /** The id a VM names its group by. */
    String id(PlacementGroupData group) {
        return "/subscriptions/" + settings.subscriptionId() + "/resourceGroups/" + settings.group() + "/providers/"
                + TYPE + "/" + group.name();
    }

    @Override
    public boolean delete(PlacementGroupData group) {
        return deleteByName(group.name());
    }

    /** True once it is gone; false while VMs are still in it. */
    boolean deleteByName(String name) {
        try {
            clients.compute().serviceClient().getProximityPlacementGroups().delete(settings.group(), name);
            return true;
        } catch (RuntimeException e) {
            if (AzureErrors.isNotFound(e)) {
                return true;
            }
            BackendException mapped = AzureErrors.map(e, "deleting proximity placement group " + name);
            String words = String.valueOf(mapped.cloudMessage()).toLowerCase(Locale.ROOT);
            if (words.contains("in use") || words.contains("has resources")) {
                return false;
            }
            throw mapped;
        }
    }
}
