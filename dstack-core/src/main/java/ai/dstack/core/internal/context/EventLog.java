package ai.dstack.core.internal.context;

import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.RunStatus;
import ai.dstack.spi.storage.EventRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.StoreTransaction;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Records dstack's events in the caller's transaction, so an event exists exactly when the change it describes does.
 * Each method is one line at the place of the change; changes that are no transition (same status) record nothing.
 * Messages follow dstack's: {@code Run status changed SUBMITTED -> PROVISIONING}.
 */
public final class EventLog {
    private final Clock clock;
    private volatile boolean enabled = true;

    public EventLog(Clock clock) {
        this.clock = clock;
    }

    /** {@code DSTACK_SERVER_EVENTS_TTL_SECONDS=0}: no events are stored. */
    public void enable(boolean on) {
        this.enabled = on;
    }

    public void runSubmitted(StoreTransaction tx, RunRow run, UUID actor) {
        record(tx, "Run submitted. Status: " + upper(run.status()), actor, run(run));
    }

    /** A job of a new run, or a new submission of a job (retry, new replica, scheduled fire). */
    public void jobCreated(StoreTransaction tx, JobRow job) {
        String why = job.submissionNum() == 0 ? "Job created on run submission" : "Job created on resubmission";
        record(tx, why + ". Status: " + upper(job.status()), null, job(job));
    }

    public void runChanged(StoreTransaction tx, RunRow before, RunRow after) {
        runChanged(tx, before, after, null);
    }

    public void runChanged(StoreTransaction tx, RunRow before, RunRow after, UUID actor) {
        if (before.status().equals(after.status())) {
            return;
        }
        String message = "Run status changed " + upper(before.status()) + " -> " + upper(after.status());
        if (RunStatus.TERMINATING.wireValue().equals(after.status()) && after.terminationReason() != null) {
            message += ". Termination reason: " + upper(after.terminationReason());
        }
        record(tx, message, actor, run(after));
    }

    public void jobChanged(StoreTransaction tx, JobRow before, JobRow after) {
        if (before.status().equals(after.status())) {
            return;
        }
        String message = "Job status changed " + upper(before.status()) + " -> " + upper(after.status());
        if (after.terminationReason() != null && (JobStatus.TERMINATING.wireValue().equals(after.status())
                || JobStatus.fromWireValue(before.status()) != JobStatus.TERMINATING)) {
            message += ". Termination reason: " + upper(after.terminationReason());
        }
        if (after.terminationReasonMessage() != null && !after.terminationReasonMessage().equals(before.terminationReasonMessage())) {
            message += " (" + after.terminationReasonMessage() + ")";
        }
        record(tx, message, null, job(after));
    }

    /** An instance changed status (a cloud VM made, reachable, terminating, terminated), with its reason when it ends. */
    public void instanceChanged(StoreTransaction tx, ai.dstack.spi.storage.InstanceRow before,
            ai.dstack.spi.storage.InstanceRow after) {
        if (before.status().equals(after.status())) {
            return;
        }
        String message = "Instance status changed " + upper(before.status()) + " -> " + upper(after.status());
        if (after.terminationReason() != null && !after.terminationReason().equals(before.terminationReason())) {
            message += ". Termination reason: " + upper(after.terminationReason());
        }
        record(tx, message, null, instance(after));
    }

    /** Any other event: a fleet, instance, user, project or secret change. */
    public void record(StoreTransaction tx, String message, UUID actor, EventRow.Target... targets) {
        if (!enabled) {
            return;
        }
        tx.events().insert(new EventRow(UUID.randomUUID(), message, clock.instant(), actor, List.of(targets)));
    }

    public static EventRow.Target user(ai.dstack.spi.storage.UserRow user, String name) {
        return new EventRow.Target("user", null, user.id(), name);
    }

    public static EventRow.Target project(ai.dstack.spi.storage.ProjectRow project, String name) {
        return new EventRow.Target("project", null, project.id(), name);
    }

    public static EventRow.Target fleet(ai.dstack.spi.storage.FleetRow fleet) {
        return new EventRow.Target("fleet", fleet.projectId(), fleet.id(), fleet.name());
    }

    public static EventRow.Target instance(ai.dstack.spi.storage.InstanceRow instance) {
        return new EventRow.Target("instance", instance.projectId(), instance.id(), instance.name());
    }

    public static EventRow.Target secret(ai.dstack.spi.storage.SecretRow secret) {
        return new EventRow.Target("secret", secret.projectId(), secret.id(), secret.name());
    }

    public static EventRow.Target volume(ai.dstack.spi.storage.VolumeRow volume) {
        return new EventRow.Target("volume", volume.projectId(), volume.id(), volume.name());
    }

    /** A volume changed status (provisioned, failed), with the cloud's words when it failed. */
    public void volumeChanged(StoreTransaction tx, ai.dstack.spi.storage.VolumeRow before,
            ai.dstack.spi.storage.VolumeRow after) {
        if (before.status().equals(after.status())) {
            return;
        }
        String message = "Volume status changed " + upper(before.status()) + " -> " + upper(after.status());
        if (after.statusMessage() != null) {
            message += " (" + after.statusMessage() + ")";
        }
        record(tx, message, null, volume(after));
    }

    public static EventRow.Target run(RunRow run) {
        return new EventRow.Target("run", run.projectId(), run.id(), run.runName());
    }

    public static EventRow.Target job(JobRow job) {
        return new EventRow.Target("job", job.projectId(), job.id(), job.jobName());
    }

    private static String upper(String wireValue) {
        return wireValue.toUpperCase(Locale.ROOT);
    }
}
