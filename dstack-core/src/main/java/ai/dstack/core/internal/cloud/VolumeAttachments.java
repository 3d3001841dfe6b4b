package ai.dstack.core.internal.cloud;

import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.context.EventLog;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.placement.RemoteConnectionInfo;
import ai.dstack.core.internal.placement.RemoteHosts;
import ai.dstack.core.internal.runs.RunVolumes;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.backend.VolumeSupport;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.RemoteHost;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.VolumeAttachmentRow;
import ai.dstack.spi.storage.VolumeRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's network volumes on its VM: before the job starts, each is attached through its backend's
 * {@link VolumeSupport}, recorded ({@code volumes_attachments}, shown in the volume's {@code attachments}), and
 * mounted on the VM at a directory of its own (formatted first only when the device has no filesystem, as dstack's
 * runner does); when the job ends it is unmounted and detached again.
 */
public final class VolumeAttachments {
    /** Where volumes are mounted on a VM, under the login user's home. */
    public static final String MOUNT_ROOT = ".dstack-jvm/volumes";
    private static final Logger LOG = LoggerFactory.getLogger(VolumeAttachments.class);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);
    private static final int DETACH_POLLS = 60;

    private final StateStore store;
    private final CloudVolumes volumes;
    private final RemoteHosts remotes;
    private final EventLog events;

    /** A volume the job's host has mounted, and where. */
    public record Mounted(String name, String path, String hostDir) {}

    /** A volume that could not be attached or mounted: the job fails with {@code volume_error}. */
    public static final class VolumeError extends RuntimeException {
        public VolumeError(String message) {
            super(message);
        }
    }

    public VolumeAttachments(StateStore store, CloudVolumes volumes, RemoteHosts remotes, EventLog events) {
        this.store = store;
        this.volumes = volumes;
        this.remotes = remotes;
        this.events = events;
    }

    /**
     * Attaches and mounts the run's network volumes on the job's instance.
     *
     * @throws VolumeError naming the volume and what went wrong (the cloud's or the host's words)
     */
    public List<Mounted> attach(JobRow job, RunSpec runSpec, UUID instanceId, RemoteHostAddress remote) {
        List<RunVolumes.Mount> mounts = RunVolumes.mounts(runSpec);
        if (mounts.isEmpty()) {
            return List.of();
        }
        String names = mounts.stream().map(RunVolumes.Mount::name).collect(Collectors.joining(", "));
        InstanceRow instance = instanceId == null ? null
                : store.inReadOnlyTransaction(tx -> tx.instances().find(instanceId)).orElse(null);
        if (remote == null && instance != null && instance.remoteConnectionInfo() != null) {
            remote = Json.read(instance.remoteConnectionInfo(), RemoteConnectionInfo.class).address();
        }
        if (remote == null || instance == null || instance.backend() == null) {
            throw new VolumeError("volumes: network volume " + names + " can be attached only to a VM of its cloud"
                    + " backend, and job " + job.jobName() + " was placed on "
                    + (instance == null ? "the local host" : "instance " + instance.name() + " (not a cloud VM)"));
        }
        ProjectRow project = store.inReadOnlyTransaction(tx -> tx.projects().find(job.projectId())).orElseThrow();
        ProvisioningData on = CloudProvisioning.provisioningData(instance);
        RemoteHost host = remotes.host(remote);
        List<Mounted> out = new ArrayList<>();
        for (RunVolumes.Mount mount : mounts) {
            VolumeRow row = store.inReadOnlyTransaction(tx -> tx.volumes().findByName(project.id(), mount.name()))
                    .filter(v -> "active".equals(v.status()) && !v.toBeDeleted())
                    .orElseThrow(() -> new VolumeError("volumes: network volume " + mount.name()
                            + " is not an active volume of project " + project.name() + " any more"));
            VolumeData data = Json.read(row.volumeProvisioningData(), VolumeData.class);
            VolumeSupport support = volumes.support(project, data.backend()).orElseThrow(() -> new VolumeError(
                    "volumes: backend " + data.backend() + " of volume " + row.name() + " is not configured in"
                            + " project " + project.name()));
            String device;
            try {
                device = support.attach(data, on);
            } catch (BackendException e) {
                throw new VolumeError("volumes: attaching volume " + row.name() + " (" + data.volumeId()
                        + ") to instance " + instance.name() + " failed: " + e.getMessage());
            }
            String attachment = Json.write(java.util.Map.of("device_name", device));
            store.useTransaction(tx -> {
                tx.volumes().attach(new VolumeAttachmentRow(row.id(), instance.id(), attachment));
                events.record(tx, "Volume attached to instance " + instance.name() + " as " + device, null,
                        EventLog.volume(row), EventLog.instance(instance));
            });
            String printed;
            try {
                printed = host.runScript(mountScript(row.name(), device, data.volumeId()), SCRIPT_TIMEOUT);
            } catch (HostExecutionException e) {
                throw new VolumeError("volumes: mounting volume " + row.name() + " (device " + device + ") on"
                        + " instance " + instance.name() + " failed: " + e.getMessage());
            }
            String[] lines = printed.strip().split("\n");
            out.add(new Mounted(row.name(), mount.path(), lines[lines.length - 1].strip()));
            LOG.info("Volume {} attached to {} as {} and mounted", row.name(), instance.name(), device);
        }
        return out;
    }

    /**
     * Unmounts and detaches the volumes the job's run mounted on its instance (the job ended). A volume the cloud
     * will not detach in time keeps its attachment, so it cannot be deleted, and a warning says so.
     */
    public void detach(JobRow job) {
        if (job.instanceId() == null) {
            return;
        }
        List<VolumeAttachmentRow> attached = store.inReadOnlyTransaction(
                tx -> tx.volumes().attachmentsOfInstance(job.instanceId()));
        if (attached.isEmpty()) {
            return;
        }
        RunRow run = store.inReadOnlyTransaction(tx -> tx.runs().find(job.runId())).orElse(null);
        Set<String> mine = run == null ? Set.of() : RunVolumes.mounts(Json.read(run.runSpec(), RunSpec.class)).stream()
                .map(RunVolumes.Mount::name).collect(Collectors.toSet());
        InstanceRow instance = store.inReadOnlyTransaction(tx -> tx.instances().find(job.instanceId())).orElse(null);
        ProjectRow project = store.inReadOnlyTransaction(tx -> tx.projects().find(job.projectId())).orElse(null);
        if (instance == null || project == null) {
            return;
        }
        for (VolumeAttachmentRow attachment : attached) {
            VolumeRow row = store.inReadOnlyTransaction(tx -> tx.volumes().find(attachment.volumeId())).orElse(null);
            if (row == null || !mine.contains(row.name())) {
                continue;
            }
            unmount(instance, row);
            VolumeData data = Json.read(row.volumeProvisioningData(), VolumeData.class);
            Optional<VolumeSupport> support = volumes.support(project, data.backend());
            if (support.isPresent() && !detached(support.get(), data, instance)) {
                LOG.warn("Volume {} is still detaching from instance {}; it stays attached until the cloud is done",
                        row.name(), instance.name());
                continue;
            }
            store.useTransaction(tx -> {
                tx.volumes().detach(row.id(), instance.id());
                // auto_cleanup_duration counts from here
                tx.volumes().find(row.id()).ifPresent(current -> tx.volumes().update(
                        current.withLastJobProcessedAt(volumes.now()), current.status()));
                events.record(tx, "Volume detached from instance " + instance.name(), null, EventLog.volume(row),
                        EventLog.instance(instance));
            });
            LOG.info("Volume {} detached from {}", row.name(), instance.name());
        }
    }

    private void unmount(InstanceRow instance, VolumeRow row) {
        if (instance.remoteConnectionInfo() == null) {
            return;
        }
        RemoteHostAddress address = Json.read(instance.remoteConnectionInfo(), RemoteConnectionInfo.class).address();
        try {
            remotes.host(address).runScript("dir=\"$HOME/" + MOUNT_ROOT + "/" + row.name() + "\"\n"
                    + "if mountpoint -q \"$dir\"; then sudo umount \"$dir\"; fi\n", SCRIPT_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("Unmounting volume {} on {} failed ({}); detaching it anyway", row.name(), instance.name(),
                    e.getMessage());
        }
    }

    private static boolean detached(VolumeSupport support, VolumeData data, InstanceRow instance) {
        ProvisioningData on = CloudProvisioning.provisioningData(instance);
        for (int poll = 0; poll < DETACH_POLLS; poll++) {
            try {
                if (support.detach(data, on)) {
                    return true;
                }
            } catch (BackendException e) {
                LOG.warn("Detaching volume {} from {}: {}", data.volumeId(), instance.name(), e.getMessage());
                return false;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Finds the attached device (on AWS Nitro VMs an EBS volume shows up as an NVMe device named by its volume id
     * rather than at the requested name), formats it only when it has no filesystem, and mounts it; prints the
     * directory.
     */
    static String mountScript(String name, String device, String volumeId) {
        String nvme = "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" + volumeId.replace("-", "");
        return "set -eu\n"
                + "dir=\"$HOME/" + MOUNT_ROOT + "/" + name + "\"\n"
                + "dev=\n"
                + "for i in $(seq 1 60); do\n"
                + "  for d in " + quote(device) + " " + quote(nvme) + "; do\n"
                + "    if lsblk -n -o NAME \"$d\" >/dev/null 2>&1; then dev=\"$d\"; break 2; fi\n"
                + "  done\n"
                + "  sleep 1\n"
                + "done\n"
                + "if [ -z \"$dev\" ]; then echo \"device " + device + " of volume " + name
                + " did not appear\" >&2; exit 1; fi\n"
                + "mkdir -p \"$dir\"\n"
                + "if ! mountpoint -q \"$dir\"; then\n"
                + "  fresh=\n"
                + "  if [ -z \"$(sudo blkid -o value -s TYPE \"$dev\" || true)\" ]; then sudo mkfs.ext4 -q \"$dev\"; fresh=1; fi\n"
                + "  sudo mount \"$dev\" \"$dir\"\n"
                + "  if [ -n \"$fresh\" ]; then sudo chown \"$(id -u):$(id -g)\" \"$dir\"; fi\n"
                + "fi\n"
                + "echo \"$dir\"\n";
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
