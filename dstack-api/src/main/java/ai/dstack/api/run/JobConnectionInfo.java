package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import java.util.List;

/**
 * How to reach a running job. Null fields do not apply (not started, no IDE, no sshproxy configured).
 *
 * @param ideName the dev environment's IDE, human-readable
 * @param attachedIdeUrl the IDE URL that works while attached through the CLI
 * @param proxiedIdeUrl the IDE URL through sshproxy
 * @param attachedSshCommand the SSH argv that works while attached through the CLI
 * @param proxiedSshCommand the SSH argv through sshproxy
 * @param sshproxyPort null when it is 22
 * @param sshproxyUpstreamId the user name SSH clients send to sshproxy to pick this job
 */
public record JobConnectionInfo(
        String ideName,
        String attachedIdeUrl,
        String proxiedIdeUrl,
        List<String> attachedSshCommand,
        List<String> proxiedSshCommand,
        String sshproxyHostname,
        Integer sshproxyPort,
        String sshproxyUpstreamId) {
    public JobConnectionInfo {
        attachedSshCommand = Values.listOrNull(attachedSshCommand);
        proxiedSshCommand = Values.listOrNull(proxiedSshCommand);
    }
}
