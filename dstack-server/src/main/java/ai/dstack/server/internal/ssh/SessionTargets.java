package ai.dstack.server.internal.ssh;

import ai.dstack.core.app.JobAccess;
import ai.dstack.core.app.SshJob;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;

/** What an SSH session carries once its user logged in: the job it entered and its attachment to it. */
final class SessionTargets {
    static final AttributeKey<SshJob> TARGET = new AttributeKey<>();
    static final AttributeKey<JobAccess.Attachment> ATTACHMENT = new AttributeKey<>();

    private SessionTargets() {}

    /** The session's job; a session reaches shells and forwarding only after log-in, which sets it. */
    static SshJob of(Session session) {
        SshJob target = session.getAttribute(TARGET);
        if (target == null) {
            throw new IllegalStateException("the SSH session " + session + " has not logged in to a job");
        }
        return target;
    }
}
