package ai.dstack.api.internal.yaml;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Python's {@code ipaddress} rules, which dstack's {@code internal_ip} and {@code network} validators use: strict
 * parsing (no leading zeros, no host names, never a DNS lookup) and {@code is_private} with CPython 3.11's tables.
 */
final class PythonIp {
    private static final BigInteger V4_ALL = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
    private static final BigInteger V6_ALL = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    private static final List<Net> PRIVATE_V4 = nets(4, "0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16",
            "172.16.0.0/12", "192.0.0.0/29", "192.0.0.170/31", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32");
    private static final List<Net> PRIVATE_V6 = nets(6, "::1/128", "::/128", "::ffff:0:0/96", "100::/64", "2001::/23",
            "2001:2::/48", "2001:db8::/32", "2001:10::/28", "fc00::/7", "fe80::/10");

    /** An address: its value and version (4 or 6). */
    record Address(BigInteger value, int version) {}

    /** A network: its first address, its prefix length and version. */
    record Net(BigInteger address, int prefix, int version) {
        BigInteger mask() {
            int bits = version == 4 ? 32 : 128;
            BigInteger all = version == 4 ? V4_ALL : V6_ALL;
            return all.shiftRight(bits - prefix).shiftLeft(bits - prefix);
        }

        BigInteger broadcast() {
            BigInteger all = version == 4 ? V4_ALL : V6_ALL;
            return address.or(mask().xor(all));
        }

        boolean contains(BigInteger value, int valueVersion) {
            return version == valueVersion && value.and(mask()).equals(address);
        }
    }

    private PythonIp() {}

    /** {@code ip_address(text)}, or null where Python raises {@code ValueError}. */
    static Address address(String text) {
        BigInteger v4 = v4(text);
        if (v4 != null) {
            return new Address(v4, 4);
        }
        BigInteger v6 = v6(text);
        return v6 == null ? null : new Address(v6, 6);
    }

    /** {@code ip_network(text, strict=False)}: host bits are cleared; null where Python raises. */
    static Net network(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length > 2) {
            return null;
        }
        BigInteger v4 = v4(parts[0]);
        if (v4 != null) {
            Integer prefix = parts.length == 1 ? Integer.valueOf(32) : v4Prefix(parts[1]);
            return prefix == null ? null : cleared(new Net(v4, prefix, 4));
        }
        BigInteger v6 = v6(parts[0]);
        if (v6 != null) {
            Integer prefix = parts.length == 1 ? Integer.valueOf(128) : prefixLength(parts[1], 128);
            return prefix == null ? null : cleared(new Net(v6, prefix, 6));
        }
        return null;
    }

    static boolean isPrivate(Address address) {
        if (address.version() == 6 && address.value().shiftRight(32).intValue() == 0xFFFF
                && address.value().shiftRight(48).signum() == 0) {
            return isPrivate(new Address(address.value().and(V4_ALL), 4)); // an IPv4-mapped address
        }
        for (Net net : address.version() == 4 ? PRIVATE_V4 : PRIVATE_V6) {
            if (net.contains(address.value(), address.version())) {
                return true;
            }
        }
        return false;
    }

    /** A network is private when one private range holds both its first and its last address. */
    static boolean isPrivate(Net network) {
        for (Net net : network.version() == 4 ? PRIVATE_V4 : PRIVATE_V6) {
            if (net.contains(network.address(), network.version()) && net.contains(network.broadcast(), network.version())) {
                return true;
            }
        }
        return false;
    }

    private static Net cleared(Net net) {
        return new Net(net.address().and(net.mask()), net.prefix(), net.version());
    }

    private static BigInteger v4(String text) {
        if (text.isEmpty() || text.contains("/")) {
            return null;
        }
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            return null;
        }
        long value = 0;
        for (String octet : octets) {
            if (octet.isEmpty() || !asciiDigits(octet) || octet.length() > 3
                    || (octet.length() > 1 && octet.charAt(0) == '0')) {
                return null;
            }
            int n = Integer.parseInt(octet);
            if (n > 255) {
                return null;
            }
            value = (value << 8) | n;
        }
        return BigInteger.valueOf(value);
    }

    /** A prefix length, or a netmask ({@code 255.0.0.0}) or hostmask ({@code 0.255.255.255}) in dotted form. */
    private static Integer v4Prefix(String text) {
        Integer prefix = prefixLength(text, 32);
        if (prefix != null) {
            return prefix;
        }
        BigInteger mask = v4(text);
        if (mask == null) {
            return null;
        }
        prefix = prefixOfMask(mask);
        return prefix != null ? prefix : prefixOfMask(mask.xor(V4_ALL));
    }

    private static Integer prefixOfMask(BigInteger mask) {
        int trailingZeros = mask.signum() == 0 ? 32 : Math.min(32, mask.getLowestSetBit());
        int prefix = 32 - trailingZeros;
        BigInteger ones = BigInteger.ONE.shiftLeft(prefix).subtract(BigInteger.ONE);
        return mask.shiftRight(trailingZeros).equals(ones) ? prefix : null;
    }

    private static Integer prefixLength(String text, int max) {
        if (text.isEmpty() || !asciiDigits(text)) {
            return null;
        }
        try {
            int prefix = Integer.parseInt(text);
            return prefix <= max ? prefix : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static BigInteger v6(String text) {
        if (text.contains("/")) {
            return null;
        }
        int percent = text.indexOf('%');
        if (percent >= 0) {
            String scope = text.substring(percent + 1);
            if (scope.isEmpty() || scope.contains("%")) {
                return null;
            }
            text = text.substring(0, percent);
        }
        if (text.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>(Arrays.asList(text.split(":", -1)));
        if (parts.size() < 3) {
            return null;
        }
        if (parts.get(parts.size() - 1).contains(".")) {
            BigInteger v4 = v4(parts.remove(parts.size() - 1));
            if (v4 == null) {
                return null;
            }
            long bits = v4.longValue();
            parts.add(Long.toHexString((bits >> 16) & 0xFFFF));
            parts.add(Long.toHexString(bits & 0xFFFF));
        }
        if (parts.size() > 9) {
            return null;
        }
        Integer skip = null;
        for (int i = 1; i < parts.size() - 1; i++) {
            if (parts.get(i).isEmpty()) {
                if (skip != null) {
                    return null; // more than one '::'
                }
                skip = i;
            }
        }
        int hi;
        int lo;
        int skipped;
        if (skip != null) {
            hi = skip;
            lo = parts.size() - skip - 1;
            if (parts.get(0).isEmpty() && --hi != 0) {
                return null;
            }
            if (parts.get(parts.size() - 1).isEmpty() && --lo != 0) {
                return null;
            }
            skipped = 8 - (hi + lo);
            if (skipped < 1) {
                return null;
            }
        } else {
            if (parts.size() != 8 || parts.get(0).isEmpty() || parts.get(7).isEmpty()) {
                return null;
            }
            hi = 8;
            lo = 0;
            skipped = 0;
        }
        BigInteger value = BigInteger.ZERO;
        for (int i = 0; i < hi; i++) {
            Integer hextet = hextet(parts.get(i));
            if (hextet == null) {
                return null;
            }
            value = value.shiftLeft(16).or(BigInteger.valueOf(hextet));
        }
        value = value.shiftLeft(16 * skipped);
        for (int i = parts.size() - lo; i < parts.size(); i++) {
            Integer hextet = hextet(parts.get(i));
            if (hextet == null) {
                return null;
            }
            value = value.shiftLeft(16).or(BigInteger.valueOf(hextet));
        }
        return value;
    }

    private static Integer hextet(String text) {
        if (text.isEmpty() || text.length() > 4) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0 || text.charAt(i) > 'f') {
                return null;
            }
        }
        return Integer.parseInt(text, 16);
    }

    private static boolean asciiDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static List<Net> nets(int version, String... cidrs) {
        List<Net> out = new ArrayList<>();
        for (String cidr : cidrs) {
            Net net = network(cidr);
            if (net == null || net.version() != version) {
                throw new IllegalStateException("bad table entry " + cidr);
            }
            out.add(net);
        }
        return List.copyOf(out);
    }
}
