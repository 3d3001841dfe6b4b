package ai.dstack.core.internal.placement;

/**
 * What the fleet file asked of an SSH host, kept in {@code instance_configuration}.
 *
 * @param blocks the host's blocks, null for auto
 * @param internalIp the host's {@code internal_ip}: the address other nodes of a multi-node run reach it at; null when
 *     not given
 * @param network {@code ssh_config.network} ({@code <address>/<prefix>}): when there is no {@code internal_ip}, the host's
 *     address in this network is found on the host; null when not given
 */
public record SshInstanceConfig(Integer blocks, String internalIp, String network) {
    public SshInstanceConfig(Integer blocks) {
        this(blocks, null, null);
    }
}
