package ai.dstack.core.internal.cloud;

import ai.dstack.api.run.Requirements;
import ai.dstack.spi.backend.PlacementGroupData;
import java.util.List;
import java.util.Map;

/**
 * What a cloud fleet's instance is made for, kept in the instance row's {@code requirements}: the fleet's resources,
 * spot policy and price limit, its {@code backends}/{@code regions}/{@code instance_types}/{@code availability_zones} filters, who applied it,
 * its resource tags and its placement group ({@code placement: cluster}).
 */
record CloudRequest(
        Requirements requirements,
        List<String> backends,
        List<String> regions,
        List<String> instanceTypes,
        List<String> availabilityZones,
        String user,
        Map<String, String> tags,
        PlacementGroupData placementGroup) {}
