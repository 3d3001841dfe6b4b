package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One host of an SSH fleet; the fields left null fall back to the fleet's {@code ssh_config}. {@code bare} records
 * that the host was given as a plain hostname, so it is written back that way.
 */
public record SshHost(
        String hostname,
        Integer port,
        String user,
        String identityFile,
        SshProxy proxyJump,
        String internalIp,
        SshKey sshKey,
        Blocks blocks,
        boolean bare) {
    public SshHost {
        Objects.requireNonNull(hostname, "hostname is null");
        if (bare && (port != null || user != null || identityFile != null || proxyJump != null || internalIp != null
                || sshKey != null || blocks != null)) {
            throw new IllegalArgumentException("a bare host has only a hostname");
        }
    }

    /** A host given as just its name or address. */
    public static SshHost of(String hostname) {
        return new SshHost(hostname, null, null, null, null, null, null, null, true);
    }

    @JsonValue
    Object wireValue() {
        if (bare) {
            return hostname;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hostname", hostname);
        out.put("port", port);
        out.put("user", user);
        out.put("identity_file", identityFile);
        out.put("proxy_jump", proxyJump);
        out.put("internal_ip", internalIp);
        out.put("ssh_key", sshKey);
        out.put("blocks", blocks);
        return out;
    }
}
