package ai.dstack.spi.backend;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an instance is created with, besides its offer.
 *
 * @param project the project's name ({@code dstack_project} tag)
 * @param instanceName dstack's instance name ({@code dstack_name} tag), unique in the project
 * @param user who asked for it ({@code dstack_user} tag)
 * @param runName the run it is made for ({@code dstack_run} tag); null for a fleet's own instances
 * @param sshPublicKeys OpenSSH public keys to authorize; the first is the project's, used for the cloud's key pair
 * @param tags resource tags besides dstack's (the configured backend {@code tags} are added by the backend)
 * @param placementGroup the group to place it in ({@code placement: cluster}); null for none
 * @param reservation a capacity reservation id; null for none
 */
public record InstanceConfiguration(
        String project,
        String instanceName,
        String user,
        String runName,
        List<String> sshPublicKeys,
        Map<String, String> tags,
        PlacementGroupData placementGroup,
        String reservation) {
    public InstanceConfiguration {
        Objects.requireNonNull(project, "project is null");
        Objects.requireNonNull(instanceName, "instanceName is null");
        Objects.requireNonNull(user, "user is null");
        sshPublicKeys = List.copyOf(sshPublicKeys);
        if (sshPublicKeys.isEmpty()) {
            throw new IllegalArgumentException("an instance needs at least the project's SSH public key");
        }
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
