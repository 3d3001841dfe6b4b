package ai.dstack.backend.azure.internal;

import com.azure.resourcemanager.compute.fluent.models.UsageInner;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription's vCPU quotas per location, from the compute usages API
 * ({@code /providers/Microsoft.Compute/locations/{location}/usages}): a VM family whose limit is 0 there has no quota,
 * and its offers show {@code no_quota}, as dstack shows offers without quota.
 */
final class AzureQuotas {
    private static final Logger LOG = LoggerFactory.getLogger(AzureQuotas.class);

    private final AzureClients clients;

    AzureQuotas(AzureClients clients) {
        this.clients = clients;
    }

    /** The families (lowercase, e.g. {@code standardncasv3_t4family}) with a limit of 0 in the location. */
    Set<String> familiesWithoutQuota(String location) {
        Set<String> none = new HashSet<>();
        try {
            for (UsageInner usage : clients.compute().serviceClient().getUsages().list(location)) {
                if (usage.name() != null && usage.name().value() != null && usage.limit() == 0) {
                    none.add(usage.name().value().toLowerCase(Locale.ROOT));
                }
            }
        } catch (RuntimeException e) {
            // without the usages the quota is unknown: the offers keep their availability
            LOG.warn("{}", AzureErrors.map(e, "listing compute usages in " + location).getMessage());
        }
        return none;
    }
}
