package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Git remote as dstack reads it ({@code GitRepoURL}): https or ssh URLs and scp-like {@code user@host:path}, giving
 * the repo name and dstack's repo id {@code <name>-<8 base36 chars of sha256(host + path)>}.
 */
record GitRepoUrl(String scheme, String user, String host, Integer port, String path) {
    private static final Pattern SCP = Pattern.compile("^(?:(?<user>[^@/]+)@)?(?<host>[^:/]+):(?<path>.+)$");
    private static final String BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";

    static GitRepoUrl parse(String value) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() != null && uri.getHost() != null) {
                String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("https") && !scheme.equals("ssh") && !scheme.equals("http")) {
                    throw CliException.failure("Unsupported URL scheme " + scheme + " in " + value);
                }
                return new GitRepoUrl(scheme, uri.getUserInfo(), uri.getHost().toLowerCase(Locale.ROOT),
                        uri.getPort() < 0 ? null : uri.getPort(), uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath());
            }
        } catch (URISyntaxException e) {
            // maybe scp-like
        }
        Matcher scp = SCP.matcher(value);
        if (scp.matches()) {
            String path = scp.group("path");
            return new GitRepoUrl("ssh", scp.group("user"), scp.group("host").toLowerCase(Locale.ROOT), null,
                    path.startsWith("/") ? path : "/" + path);
        }
        throw CliException.failure("Could not parse git URL " + value);
    }

    String cleanPath() {
        String clean = path.replaceAll("/+$", "");
        return clean.endsWith(".git") ? clean.substring(0, clean.length() - 4) : clean;
    }

    String repoName() {
        String name = cleanPath().substring(cleanPath().lastIndexOf('/') + 1);
        return name.isEmpty() ? "unknown" : name;
    }

    /** dstack's {@code slugify(repo_name, host + clean_path)}. */
    String repoId() {
        return slugify(repoName(), host + cleanPath());
    }

    /** dstack's {@code slugify(prefix, unique_key)}: the prefix, a dash and 8 base36 chars of sha256(unique_key). */
    static String slugify(String prefix, String uniqueKey) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(uniqueKey.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        // dstack reads the digest as a little-endian integer and keeps its lowest 32 base36 digits (one per byte,
        // ceil(log 8 / log 36) = 1), most significant first.
        byte[] bigEndian = new byte[digest.length];
        for (int i = 0; i < digest.length; i++) {
            bigEndian[i] = digest[digest.length - 1 - i];
        }
        BigInteger value = new BigInteger(1, bigEndian);
        int digits = digest.length;
        char[] out = new char[digits];
        BigInteger base = BigInteger.valueOf(36);
        for (int i = digits - 1; i >= 0; i--) {
            BigInteger[] division = value.divideAndRemainder(base);
            out[i] = BASE36.charAt(division[1].intValue());
            value = division[0];
        }
        return prefix + "-" + new String(out, 0, 8);
    }

    /** The URL to clone with and no secret: http(s) URLs as given, ssh and scp-like ones as ssh URLs. */
    String defaultCloneUrl() {
        return switch (scheme) {
            case "ssh" -> asSsh();
            case "http", "https" -> scheme + "://" + host + (port == null ? "" : ":" + port) + path;
            default -> asHttps();
        };
    }

    String asHttps() {
        return "https://" + host + path;
    }

    String asSsh() {
        return "ssh://" + (user == null ? "git" : user) + "@" + host + (port == null ? "" : ":" + port) + path;
    }
}
