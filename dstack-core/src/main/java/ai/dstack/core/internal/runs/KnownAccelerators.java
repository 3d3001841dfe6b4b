package ai.dstack.core.internal.runs;

import ai.dstack.api.resources.GpuVendor;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The accelerator models dstack knows the vendor of (gpuhunt's catalog), to infer a GPU spec's vendor from names. */
final class KnownAccelerators {
    private static final Set<String> NVIDIA = lower(
            "A10", "A16", "A40", "A100", "A10G", "A4000", "A4500", "A5000", "A6000", "H100", "H100NVL", "H200", "H200NVL",
            "B200", "GB200", "B300", "L4", "L40", "L40S", "P100", "RTX2060", "RTX2060SUPER", "RTX2070", "RTX2070SUPER",
            "RTX2080", "RTX2080SUPER", "RTX2080Ti", "RTX3050", "RTX3060", "RTX3060Ti", "RTX3070", "RTX3070Ti", "RTX3080",
            "RTX3080Ti", "RTX3090", "RTX3090Ti", "RTX4060", "RTX4060Ti", "RTX4070", "RTX4070SUPER", "RTX4070Ti",
            "RTX4070TiSUPER", "RTX4080", "RTX4080SUPER", "RTX4090", "RTX5060", "RTX5060Ti", "RTX5070", "RTX5070Ti",
            "RTX5080", "RTX5090", "RTX6000", "RTX2000Ada", "RTX4000Ada", "RTX6000Ada", "RTXPRO4500", "RTXPRO6000", "T4",
            "V100", "GH200");
    private static final Set<String> AMD = lower(
            "MI100", "MI210", "MI250", "MI250X", "MI300A", "MI300X", "MI308X", "MI325X", "MI350X", "MI355X");
    private static final Set<String> INTEL = lower("Gaudi", "Gaudi2", "Gaudi3");
    private static final Set<String> TENSTORRENT = lower(
            "n150", "n300", "tt-galaxy-wh", "p100a", "p150", "p300", "tt-galaxy-bh");
    private static final Set<String> TPU_VERSIONS = lower("v2", "v3", "v4", "v5p", "v5litepod", "v6e");

    private KnownAccelerators() {}

    /** The vendors a model name belongs to (case-insensitive; TPUs as {@code v5litepod-8}); empty when unknown. */
    static Set<GpuVendor> vendorsOf(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        Set<GpuVendor> vendors = EnumSet.noneOf(GpuVendor.class);
        if (NVIDIA.contains(lower)) {
            vendors.add(GpuVendor.NVIDIA);
        }
        if (AMD.contains(lower)) {
            vendors.add(GpuVendor.AMD);
        }
        if (INTEL.contains(lower)) {
            vendors.add(GpuVendor.INTEL);
        }
        if (TENSTORRENT.contains(lower)) {
            vendors.add(GpuVendor.TENSTORRENT);
        }
        int dash = lower.indexOf('-');
        if (dash >= 0) {
            String cores = lower.substring(dash + 1);
            if (!cores.isEmpty() && cores.chars().allMatch(Character::isDigit) && TPU_VERSIONS.contains(lower.substring(0, dash))) {
                vendors.add(GpuVendor.GOOGLE);
            }
        }
        return vendors;
    }

    private static Set<String> lower(String... names) {
        return Stream.of(names).map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
