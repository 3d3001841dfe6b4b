package ai.dstack.core.internal.app;

import ai.dstack.api.configuration.SshHost;
import ai.dstack.api.configuration.SshKey;
import ai.dstack.api.configuration.SshParams;
import ai.dstack.api.fleet.FleetSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of an SSH fleet that name a key file on the server's machine without the key's contents: the server
 * would read its own file (its own keys, or probes of what exists). dstack's CLI sends the contents as
 * {@code ssh_key}, which never counts here.
 */
final class FleetKeyFiles {
    private FleetKeyFiles() {}

    static List<String> named(FleetSpec spec) {
        List<String> fields = new ArrayList<>();
        if (spec == null || spec.configuration() == null || spec.configuration().sshConfig() == null) {
            return fields;
        }
        SshParams ssh = spec.configuration().sshConfig();
        add(ssh.identityFile(), ssh.sshKey(), "ssh_config.identity_file", fields);
        if (ssh.proxyJump() != null) {
            add(ssh.proxyJump().identityFile(), ssh.proxyJump().sshKey(), "ssh_config.proxy_jump.identity_file", fields);
        }
        for (int i = 0; i < ssh.hosts().size(); i++) {
            SshHost host = ssh.hosts().get(i);
            add(host.identityFile(), host.sshKey(), "ssh_config.hosts[" + i + "].identity_file", fields);
            if (host.proxyJump() != null) {
                add(host.proxyJump().identityFile(), host.proxyJump().sshKey(),
                        "ssh_config.hosts[" + i + "].proxy_jump.identity_file", fields);
            }
        }
        return fields;
    }

    private static void add(String identityFile, SshKey key, String field, List<String> out) {
        if (identityFile != null && (key == null || key.privateKey() == null)) {
            out.add(field);
        }
    }
}
