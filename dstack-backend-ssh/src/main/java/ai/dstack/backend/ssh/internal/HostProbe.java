package ai.dstack.backend.ssh.internal;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.HostGpu;
import ai.dstack.spi.host.HostProbeParsers;
import ai.dstack.spi.host.HostResources;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the output of {@code host-probe.sh}: the host's checks (tools, jobs directory, free disk) and its resources.
 * A problem is reported in words; GPUs come from {@code nvidia-smi}, {@code amd-smi} or {@code rocm-smi}, parsed by
 * {@link HostProbeParsers}.
 */
final class HostProbe {
    /** Less free space than this on the jobs' file system is a full disk: jobs could not even write their logs. */
    static final long MIN_FREE_DISK_MIB = 100;

    /**
     * The probe's result: the host's resources, the absolute jobs directory and the container runtime whose engine
     * answers ({@code docker} or {@code podman}; null for none).
     */
    record Result(HostResources resources, String root, String containerRuntime) {}

    private HostProbe() {}

    static Result parse(String output, String where) {
        Map<String, String> sections = sections(output);
        if (!sections.containsKey("end")) {
            throw new HostExecutionException(ErrorCode.ERROR, "The host check on " + where
                    + " stopped early; its output: " + abbreviate(output));
        }
        String missing = sections.getOrDefault("missing", "").strip();
        if (!missing.isEmpty()) {
            throw new HostExecutionException(ErrorCode.ERROR, where + " lacks tools that jobs need: " + missing
                    + " (install util-linux, procps and coreutils)");
        }
        String root = sections.getOrDefault("root", "").strip();
        if (!root.startsWith("/") || root.contains("\n")) {
            throw new HostExecutionException(ErrorCode.ERROR, "Cannot create the jobs directory on " + where + ": "
                    + abbreviate(root));
        }
        long diskMib = freeDiskMib(sections.getOrDefault("df", ""));
        if (diskMib < MIN_FREE_DISK_MIB) {
            throw new HostExecutionException(ErrorCode.ERROR, "The disk of " + where + " is full: " + diskMib
                    + " MiB free for " + root + " (at least " + MIN_FREE_DISK_MIB + " MiB needed)");
        }
        int cpus;
        long memoryMib;
        try {
            cpus = Integer.parseInt(sections.getOrDefault("nproc", "").strip());
            memoryMib = HostProbeParsers.parseMemInfoTotalMib(sections.getOrDefault("meminfo", ""));
        } catch (RuntimeException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "Cannot read the CPUs and memory of " + where
                    + " (is it Linux?): " + e.getMessage());
        }
        String arch = HostProbeParsers.cpuArchOf(sections.getOrDefault("arch", "").strip());
        List<HostGpu> gpus = gpus(sections);
        return new Result(new HostResources(cpus, arch, memoryMib, diskMib, gpus), root,
                runtime(sections.getOrDefault("runtime", "")));
    }

    static String runtime(String output) {
        String runtime = output.strip();
        return runtime.equals("docker") || runtime.equals("podman") ? runtime : null;
    }

    private static List<HostGpu> gpus(Map<String, String> sections) {
        String nvidia = sections.getOrDefault("nvidia", "");
        if (!nvidia.isBlank()) {
            return HostProbeParsers.parseNvidiaSmi(nvidia);
        }
        String amd = sections.getOrDefault("amd", "");
        if (!amd.isBlank()) {
            return HostProbeParsers.parseAmdSmi(amd);
        }
        String rocm = sections.getOrDefault("rocm", "");
        if (!rocm.isBlank()) {
            return HostProbeParsers.parseRocmSmi(rocm);
        }
        return List.of();
    }

    /** {@code df -Pk} line: file system, 1024-blocks, used, available, capacity, mount point. */
    static long freeDiskMib(String dfLine) {
        String[] fields = dfLine.strip().split("\\s+");
        if (fields.length < 4) {
            return 0;
        }
        try {
            return Long.parseLong(fields[3]) / 1024;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> sections(String output) {
        Map<String, String> sections = new LinkedHashMap<>();
        String current = null;
        StringBuilder text = new StringBuilder();
        for (String line : output.split("\n", -1)) {
            if (line.startsWith("@@dstack ")) {
                if (current != null) {
                    sections.put(current, text.toString());
                }
                current = line.substring("@@dstack ".length()).strip();
                text.setLength(0);
            } else if (current != null) {
                text.append(line).append('\n');
            }
        }
        if (current != null) {
            sections.put(current, text.toString());
        }
        return sections;
    }

    private static String abbreviate(String text) {
        String flat = text.strip().replace('\n', ' ');
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }
}
