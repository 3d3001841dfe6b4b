package ai.dstack.backend.aws.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ai.dstack.spi.backend.BackendException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * EC2's on-demand instance quotas of a region, from Service Quotas ({@code GetServiceQuota}), as dstack reads them:
 * the vCPU quotas of standard (A, C, D, H, I, M, R, T, Z), P and G instances. An offer whose family has a quota of 0
 * is {@code no_quota}. A quota Service Quotas will not give (no permission, rate limits, unknown) stays unknown, and
 * so does the offer's availability. Asked at most every {@link #TTL} per region.
 */
final class AwsQuotas {
    /** dstack's {@code _ON_DEMAND_QUOTA_CODES}: quota code to its usage class. */
    static final Map<String, String> CODES = Map.of("L-1216C47A", "Standard/OnDemand", "L-417A185B", "P/OnDemand",
            "L-DB2E81BA", "G/OnDemand");
    static final Duration TTL = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(AwsQuotas.class);

    private record Known(Instant at, Map<String, Double> quotas) {}

    private final AwsClients clients;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    AwsQuotas(AwsClients clients) {
        this.clients = clients;
    }

    /** The region's quotas by class ({@code P/OnDemand}, ...); those Service Quotas did not give are absent. */
    Map<String, Double> of(String region) {
        Known cached = known.get(region);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.at().plus(TTL))) {
            return cached.quotas();
        }
        ServiceQuotasApi client = clients.serviceQuotas(region);
        Map<String, Double> quotas = new LinkedHashMap<>();
        CODES.forEach((code, usageClass) -> {
            try {
                Double value = client.quotaValue("ec2", code);
                if (value != null) {
                    quotas.put(usageClass, value);
                }
            } catch (BackendException e) {
                LOG.warn("aws: quota {} ({}) in {} is unknown, offers of its instances are not checked against it:"
                        + " {}", code, usageClass, region, e.getMessage());
            } catch (SdkException e) {
                LOG.warn("aws: quota {} ({}) in {} is unknown, offers of its instances are not checked against it:"
                        + " {}", code, usageClass, region, AwsErrors.map(e, "GetServiceQuota " + code).getMessage());
            }
        });
        known.put(region, new Known(now, Map.copyOf(quotas)));
        return quotas;
    }

    /** dstack's {@code _has_quota}: false when the type's family has a quota of 0, null when it is unknown. */
    static Boolean hasQuota(Map<String, Double> quotas, String instanceType) {
        Double quota = quotas.get(instanceType.startsWith("p") ? "P/OnDemand"
                : instanceType.startsWith("g") ? "G/OnDemand" : "Standard/OnDemand");
        return quota == null ? null : quota > 0;
    }
}
