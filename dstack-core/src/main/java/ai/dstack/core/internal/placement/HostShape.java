package ai.dstack.core.internal.placement;

import ai.dstack.api.offer.Disk;
import ai.dstack.api.offer.Gpu;
import ai.dstack.api.offer.InstanceType;
import ai.dstack.api.offer.Resources;
import ai.dstack.api.resources.CpuArch;
import ai.dstack.api.resources.DiskSpec;
import ai.dstack.api.resources.GpuSpec;
import ai.dstack.api.resources.GpuVendor;
import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.spi.host.HostGpu;
import ai.dstack.spi.host.HostResources;
import java.util.ArrayList;
import java.util.List;

/**
 * A host split into equal blocks, as dstack splits shared instances: each block has {@code 1/blocks} of the CPUs,
 * memory and GPUs, and a job takes as many blocks as its resource minimums need.
 */
public record HostShape(HostResources resources, int blocks) {
    public HostShape {
        if (blocks < 1) {
            throw new IllegalArgumentException("blocks < 1: " + blocks);
        }
    }

    /** The blocks a job needs here, or -1 when the whole host cannot satisfy it. */
    public int blocksNeeded(ResourcesSpec spec) {
        double cpuPerBlock = (double) resources.cpus() / blocks;
        double memoryGbPerBlock = resources.memoryMib() / 1024.0 / blocks;
        int cpu = share(spec.cpu().count(), resources.cpus(), cpuPerBlock);
        int memory = shareGb(spec.memory(), resources.memoryMib() / 1024.0, memoryGbPerBlock);
        if (cpu < 0 || memory < 0 || spec.cpu().arch() != null && spec.cpu().arch() != arch()) {
            return -1;
        }
        int need = Math.max(cpu, memory);
        GpuSpec gpu = spec.gpu();
        int gpus = resources.gpuCount();
        if (gpu != null && gpu.count().min() != null && gpu.count().min() > 0) {
            if (gpus == 0 || !gpuMatches(gpu)) {
                return -1;
            }
            int gpuBlocks = share(gpu.count(), gpus, (double) gpus / blocks);
            if (gpuBlocks < 0) {
                return -1;
            }
            need = Math.max(need, gpuBlocks);
        }
        return need > blocks ? -1 : need;
    }

    /**
     * The blocks a job takes here, or -1 when the host cannot take it: {@link #blocksNeeded} for CPUs, memory and GPUs,
     * and the disk size it asks for (see {@link #diskShortfall}). Blocks do not split the disk.
     */
    public int blocksFor(ResourcesSpec spec) {
        return diskShortfall(spec) != null ? -1 : blocksNeeded(spec);
    }

    /**
     * Why the host's disk cannot satisfy the job, or null when it can. Jobs here share the host's filesystem, so only
     * a disk size the configuration asks for is checked, against the free space; dstack's default request
     * ({@code 100GB..}, which would rule out most workstations) is not reserved here.
     */
    public String diskShortfall(ResourcesSpec spec) {
        if (spec.disk() == null || spec.disk().equals(DiskSpec.DEFAULT) || spec.disk().size() == null
                || spec.disk().size().min() == null) {
            return null;
        }
        double freeGb = resources.diskMib() / 1024.0;
        double wanted = spec.disk().size().min();
        return wanted <= freeGb ? null : String.format(java.util.Locale.ROOT,
                "disk=%sGB.. asks for more than the host's free disk (%.1fGB)", trim(wanted), freeGb);
    }

    private static String trim(double gb) {
        return gb == Math.rint(gb) ? String.valueOf((long) gb) : String.valueOf(gb);
    }

    private static int share(Range<Integer> wanted, int total, double perBlock) {
        if (wanted.min() == null || wanted.min() <= 0) {
            return 1;
        }
        if (wanted.min() > total) {
            return -1;
        }
        return (int) Math.ceil(wanted.min() / perBlock - 1e-9);
    }

    private static int shareGb(Range<Double> wanted, double total, double perBlock) {
        if (wanted.min() == null || wanted.min() <= 0) {
            return 1;
        }
        if (wanted.min() > total) {
            return -1;
        }
        return (int) Math.ceil(wanted.min() / perBlock - 1e-9);
    }

    private boolean gpuMatches(GpuSpec gpu) {
        for (HostGpu hostGpu : resources.gpus()) {
            boolean vendorOk = gpu.vendor() == null || gpu.vendor().wireValue().equalsIgnoreCase(hostGpu.vendor());
            boolean nameOk = gpu.name() == null || gpu.name().stream().anyMatch(n -> n.equalsIgnoreCase(hostGpu.name()));
            boolean memoryOk = gpu.memory() == null || gpu.memory().min() == null
                    || hostGpu.memoryMib() / 1024.0 >= gpu.memory().min();
            if (vendorOk && nameOk && memoryOk) {
                return true;
            }
        }
        return false;
    }

    CpuArch arch() {
        CpuArch arch = CpuArch.fromAlias(resources.cpuArch());
        return arch == null ? CpuArch.X86 : arch;
    }

    /** The host as an instance type, the way dstack describes an SSH fleet host. */
    public InstanceType instanceType() {
        return instanceType("local");
    }

    /** The host as an instance type of the given name ({@code ssh} for an SSH fleet's host, as in dstack). */
    public InstanceType instanceType(String name) {
        List<Gpu> gpus = new ArrayList<>();
        for (HostGpu gpu : resources.gpus()) {
            for (int i = 0; i < gpu.count(); i++) {
                gpus.add(new Gpu(gpu.name(), (int) gpu.memoryMib(), GpuVendor.cast(gpu.vendor())));
            }
        }
        Resources offered = new Resources(resources.cpus(), (int) Math.min(Integer.MAX_VALUE, resources.memoryMib()),
                gpus, false, new Disk((int) Math.min(Integer.MAX_VALUE, resources.diskMib())), arch(), "");
        return new InstanceType(name, offered);
    }

    /**
     * dstack's shared offer: the instance's resources scaled to the blocks a job takes (what the job has, as its offer
     * and its provisioning data show). The disk is the host's: jobs share its filesystem.
     */
    public static InstanceType share(InstanceType type, int blocks, int total) {
        if (total <= 1 || blocks >= total) {
            return type;
        }
        Resources all = type.resources();
        List<Gpu> gpus = all.gpus().subList(0, all.gpus().size() / total * blocks);
        Resources part = new Resources(all.cpus() / total * blocks, all.memoryMib() / total * blocks, gpus, all.spot(),
                all.disk(), all.cpuArch(), all.description());
        return new InstanceType(type.name(), part);
    }

    /** The shape of a host described by an instance type (as {@link #instanceType} wrote it), split into blocks. */
    public static HostShape of(InstanceType type, int blocks) {
        Resources offered = type.resources();
        java.util.Map<String, HostGpu> grouped = new java.util.LinkedHashMap<>();
        for (Gpu gpu : offered.gpus()) {
            String vendor = gpu.vendor() == null ? "nvidia" : gpu.vendor().wireValue();
            grouped.merge(vendor + "/" + gpu.name() + "/" + gpu.memoryMib(),
                    new HostGpu(vendor, gpu.name(), gpu.memoryMib(), 1),
                    (a, b) -> new HostGpu(a.vendor(), a.name(), a.memoryMib(), a.count() + b.count()));
        }
        String arch = offered.cpuArch() == null ? "x86" : offered.cpuArch().wireValue();
        long disk = offered.disk() == null ? 0 : offered.disk().sizeMib();
        return new HostShape(new HostResources(Math.max(1, offered.cpus()), arch, offered.memoryMib(), disk,
                List.copyOf(grouped.values())), blocks);
    }
}
