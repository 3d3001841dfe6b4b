package ai.dstack.core.internal.placement;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Finds a host's address in {@code ssh_config.network} ({@code <address>/<prefix>}, as dstack's fleets take it) among
 * the addresses the host lists, so that the nodes of a multi-node run reach each other on that network.
 */
public final class NetworkAddresses {
    /** Prints every address of the host, one per line ({@code 10.0.0.5/24}); {@code hostname -I} where there is no ip. */
    public static final String LIST_SCRIPT = "if command -v ip >/dev/null 2>&1; then ip -o addr show | awk '{print $4}';"
            + " else hostname -I | tr ' ' '\\n'; fi\n";

    private NetworkAddresses() {}

    /** The first address in {@code listed} (one per line, prefixes allowed) that lies in {@code network}. */
    public static Optional<String> inNetwork(String network, String listed) {
        int slash = network.indexOf('/');
        byte[] base = bytes(slash < 0 ? network : network.substring(0, slash));
        if (base == null) {
            throw new IllegalArgumentException("network " + network + " is not an address/prefix");
        }
        int prefix = slash < 0 ? base.length * 8 : Integer.parseInt(network.substring(slash + 1).strip());
        for (String line : listed.split("\\s+")) {
            String address = line.contains("/") ? line.substring(0, line.indexOf('/')) : line;
            if (address.isBlank()) {
                continue;
            }
            byte[] candidate = bytes(address);
            if (candidate != null && candidate.length == base.length && samePrefix(base, candidate, prefix)) {
                return Optional.of(address);
            }
        }
        return Optional.empty();
    }

    private static boolean samePrefix(byte[] a, byte[] b, int bits) {
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** The address's bytes, or null when it is not a literal IPv4/IPv6 address (never a DNS lookup). */
    private static byte[] bytes(String literal) {
        String text = literal.strip();
        boolean literalAddress = text.matches("[0-9.]+") || text.contains(":");
        if (!literalAddress) {
            return null;
        }
        try {
            return InetAddress.getByName(text.replaceAll("%.*$", "")).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }
}
