package ai.dstack.server.internal.ssh;

import ai.dstack.core.internal.context.JobActivity;
import ai.dstack.core.internal.context.SshTarget;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;

/** What an SSH session carries once its user logged in: the job it entered and its attachment to it. */
final class SessionTargets {
    static final AttributeKey<SshTarget> TARGET = new AttributeKey<>();
    static final AttributeKey<JobActivity.Attachment> ATTACHMENT = new AttributeKey<>();

    private SessionTargets() {}

    /** The session's job; a session reaches shells and forwarding only after log-in, which sets it. */
    static SshTarget of(Session session) {
        SshTarget target = session.getAttribute(TARGET);
        if (target == null) {
            throw new IllegalStateException("the SSH session " + session + " has not logged in to a job");
        }
        return target;
    }
}
