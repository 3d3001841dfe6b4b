package ai.dstack.server.internal.ssh;

import ai.dstack.core.app.JobAccess;
import ai.dstack.core.app.SshJob;
import java.security.PublicKey;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a client in as a running job's upstream id when its key is one of the job's authorized keys (the run spec's
 * {@code ssh_key_pub} and the keys of the project's active members).
 */
final class JobKeyAuthenticator implements PublickeyAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(JobKeyAuthenticator.class);

    private final JobAccess targets;

    JobKeyAuthenticator(JobAccess targets) {
        this.targets = targets;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        Optional<SshJob> target = targets.find(username);
        if (target.isEmpty()) {
            LOG.debug("SSH log-in as {} refused: no running job has this upstream id", username);
            return false;
        }
        for (String line : target.get().authorizedKeys()) {
            if (matches(line, key, session)) {
                // No session state here: this also answers a client that only offers a key (no signature yet).
                // The session's job is recorded once the log-in is complete (see SshGateway).
                return true;
            }
        }
        LOG.debug("SSH log-in to job {} refused: the key is not authorized", username);
        return false;
    }

    private static boolean matches(String authorizedKey, PublicKey key, ServerSession session) {
        try {
            PublicKey allowed = PublicKeyEntry.parsePublicKeyEntry(authorizedKey)
                    .resolvePublicKey(session, null, PublicKeyEntryResolver.IGNORING);
            return allowed != null && KeyUtils.compareKeys(allowed, key);
        } catch (Exception e) {
            // A malformed key in a run spec or user row authorizes nobody.
            return false;
        }
    }
}
