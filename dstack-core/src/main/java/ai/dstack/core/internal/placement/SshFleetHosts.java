package ai.dstack.core.internal.placement;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.Blocks;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.SshHost;
import ai.dstack.api.configuration.SshKey;
import ai.dstack.api.configuration.SshParams;
import ai.dstack.api.configuration.SshProxy;
import ai.dstack.client.DstackConfig;
import ai.dstack.spi.host.RemoteHostAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The hosts of an SSH fleet's {@code ssh_config}, each with its own settings resolved: a host's {@code user},
 * {@code port}, key and {@code proxy_jump} override the fleet's, the port defaults to 22. A key is taken from
 * {@code ssh_key.private} (what dstack's CLI sends) or read from {@code identity_file} on the server's machine.
 * Errors name the host and what is missing, as dstack's server words them.
 */
public final class SshFleetHosts {
    private SshFleetHosts() {}

    /**
     * One host of the fleet: how to reach it, how many blocks to split it into, and how the other nodes of a multi-node
     * run reach it ({@code internal_ip}, or the host's address in {@code ssh_config.network}; both may be null).
     */
    public record Entry(RemoteHostAddress address, Blocks blocks, String internalIp, String network) {
        /** The host's identity within the engine: a host is in at most one fleet. */
        public String key() {
            return address.hostname() + ":" + address.port();
        }
    }

    public static List<Entry> of(FleetConfiguration configuration) {
        SshParams ssh = configuration.sshConfig();
        if (ssh == null) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Cloud fleets (without ssh_config) are not supported"
                    + " by this server yet: list your hosts under ssh_config.hosts");
        }
        if (configuration.nodes() != null) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "ssh_config and nodes are mutually exclusive");
        }
        if (ssh.hosts().isEmpty()) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "ssh_config.hosts is empty: list at least one host");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (SshHost host : ssh.hosts()) {
            String name = host.hostname();
            String user = host.user() != null ? host.user() : ssh.user();
            if (user == null) {
                throw new DstackException(ErrorCode.INVALID_REQUEST, "No ssh user specified for host " + name);
            }
            int port = host.port() != null ? host.port() : ssh.port() != null ? ssh.port() : 22;
            Key key = host.sshKey() != null || host.identityFile() != null
                    ? key(host.sshKey(), host.identityFile(), name)
                    : key(ssh.sshKey(), ssh.identityFile(), name);
            SshProxy proxy = host.proxyJump() != null ? host.proxyJump() : ssh.proxyJump();
            RemoteHostAddress jump = null;
            if (proxy != null) {
                Key proxyKey = key(proxy.sshKey(), proxy.identityFile(), "proxy_jump " + proxy.hostname());
                jump = address(proxy.hostname(), proxy.port() == null ? 22 : proxy.port(), proxy.user(), proxyKey, null);
            }
            Entry entry = new Entry(address(name, port, user, key, jump),
                    host.blocks() != null ? host.blocks() : configuration.blocks(), host.internalIp(), ssh.network());
            if (!seen.add(entry.key())) {
                throw new DstackException(ErrorCode.INVALID_REQUEST, "Host " + entry.key()
                        + " is listed twice in ssh_config.hosts");
            }
            entries.add(entry);
        }
        return entries;
    }

    private record Key(String privateKey, String source) {}

    private static RemoteHostAddress address(String hostname, int port, String user, Key key, RemoteHostAddress jump) {
        try {
            return new RemoteHostAddress(hostname, port, user, key.privateKey(), key.source(), jump);
        } catch (IllegalArgumentException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Host " + hostname + ": " + e.getMessage());
        }
    }

    private static Key key(SshKey sshKey, String identityFile, String host) {
        if (sshKey != null && sshKey.privateKey() != null) {
            return new Key(sshKey.privateKey(), identityFile != null ? identityFile : "ssh_key of " + host);
        }
        if (identityFile == null) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "No ssh key specified for host " + host);
        }
        Path file = expandHome(identityFile);
        try {
            return new Key(Files.readString(file), identityFile);
        } catch (IOException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Cannot read identity_file " + identityFile
                    + " of host " + host + " on the server: " + e.getMessage()
                    + " (dstack apply sends the key's contents; a file path is read where the server runs)");
        }
    }

    static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(DstackConfig.homeDirectory(), path.substring(1).replaceFirst("^/", ""));
        }
        return Path.of(path);
    }
}
