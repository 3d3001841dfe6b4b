package ai.dstack.api.configuration;

/** Picks existing fleet instances for a run: by name, by hostname, or by fleet and instance number. */
public sealed interface InstanceSelector {
    record ByName(String name) implements InstanceSelector {}

    record ByHostname(String hostname) implements InstanceSelector {}

    record ByFleetInstance(EntityReference fleet, int instance) implements InstanceSelector {}
}
