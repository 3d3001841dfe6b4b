package ai.dstack.api.fleet;

import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.Profile;

/**
 * What a fleet is made from: its configuration and profile. This is what {@code fleets/get_plan} and
 * {@code fleets/apply} take.
 *
 * @param configurationPath the configuration file, for display; null when built in code
 * @param profile the profile parameters
 * @param autocreated deprecated; false when absent
 */
public record FleetSpec(
        FleetConfiguration configuration,
        String configurationPath,
        Profile profile,
        boolean autocreated) {}
