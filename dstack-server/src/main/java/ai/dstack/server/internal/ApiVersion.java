package ai.dstack.server.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dstack's client version check on {@code X-API-VERSION}. The header parses as a PEP 440 version; absent,
 * {@code latest} and any {@code 0.0.0} release mean a development client and are never checked. Unlike dstack,
 * which also refuses clients of a newer minor version, only a client of a newer major version is refused (this
 * server accepts fields it does not know, so newer minor clients work), with dstack's message.
 */
final class ApiVersion {
    /** PEP 440's public version scheme, as the {@code packaging} library accepts it. */
    private static final Pattern PEP440 = Pattern.compile(
            "^\\s*v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)"
                    + "(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\\d+)?)?"
                    + "(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?"
                    + "(?:[-_.]?(dev)[-_.]?(\\d+)?)?"
                    + "(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$",
            Pattern.CASE_INSENSITIVE);

    private ApiVersion() {}

    /** The release numbers of a concrete version, or null for a development client. */
    static List<Integer> parse(String header) {
        if (header == null || header.equals("latest")) {
            return null;
        }
        Matcher m = PEP440.matcher(header);
        if (!m.matches()) {
            throw HttpProblem.clientError("Invalid version: " + header, null);
        }
        List<Integer> release = new ArrayList<>();
        for (String part : m.group(2).split("\\.")) {
            try {
                release.add(Integer.parseInt(part));
            } catch (NumberFormatException e) {
                throw HttpProblem.clientError("Invalid version: " + header, null);
            }
        }
        return release.stream().allMatch(n -> n == 0) ? null : release;
    }

    /**
     * Refuses a client whose major version is newer than the server's.
     *
     * @param serverVersion null for a development server, which checks nothing
     */
    static void check(String header, String serverVersion) {
        List<Integer> client = parse(header);
        if (client == null || serverVersion == null) {
            return;
        }
        List<Integer> server = parse(serverVersion);
        if (server == null) {
            return;
        }
        if (client.get(0) > server.get(0)) {
            throw HttpProblem.clientError("The client/CLI version (" + normalized(header) + ") is incompatible with the"
                    + " server version (" + serverVersion + ").", "error");
        }
    }

    /** The version as {@code packaging} prints it: lower case, no leading {@code v} or spaces. */
    private static String normalized(String header) {
        String text = header.trim().toLowerCase(Locale.ROOT);
        return text.startsWith("v") ? text.substring(1) : text;
    }
}
