package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.ValueParser;
import ai.dstack.api.yaml.reading.PythonText;

import ai.dstack.api.resources.ComputeCapability;
import ai.dstack.api.resources.CpuArch;
import ai.dstack.api.resources.CpuSpec;
import ai.dstack.api.resources.DiskSpec;
import ai.dstack.api.resources.GpuSpec;
import ai.dstack.api.resources.GpuVendor;
import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/** Reads {@code resources} with every shorthand dstack accepts: {@code A100:80GB:2}, {@code arm:8..}, {@code 24GB..}. */
public final class ResourcesReader {
    private ResourcesReader() {}

    public static final ValueParser<Range<Integer>> INT_RANGE = range(Coerce::integer);
    public static final ValueParser<Range<Double>> MEMORY_RANGE = range(ResourcesReader::memory);

    public static ResourcesSpec resources(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        CpuSpec cpu = o.get("cpu", ResourcesReader::cpu, CpuSpec.DEFAULT);
        Range<Double> memory = o.get("memory", MEMORY_RANGE, ResourcesSpec.DEFAULT_MEMORY);
        Double shm = o.opt("shm_size", ResourcesReader::memory);
        GpuSpec gpu = o.has("gpu") ? o.opt("gpu", ResourcesReader::gpu) : GpuSpec.NONE;
        DiskSpec disk = o.has("disk") ? o.opt("disk", ResourcesReader::disk) : DiskSpec.DEFAULT;
        o.finish();
        return ctx.cleanSince(mark) ? new ResourcesSpec(cpu, memory, shm, gpu, disk) : null;
    }

    /** dstack's {@code Memory}: a number of gigabytes, or text with an {@code MB}, {@code GB} or {@code TB} unit. */
    public static Double memory(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        if (v instanceof Number || v instanceof Boolean) {
            return Coerce.number(ctx, value, loc);
        }
        if (v instanceof String s) {
            String text = s.replace(" ", "").toLowerCase();
            double factor = 1;
            if (text.endsWith("tb")) {
                factor = 1024;
                text = text.substring(0, text.length() - 2);
            } else if (text.endsWith("gb")) {
                text = text.substring(0, text.length() - 2);
            } else if (text.endsWith("mb")) {
                factor = 1.0 / 1024;
                text = text.substring(0, text.length() - 2);
            }
            Double parsed = Coerce.pythonFloat(text);
            if (parsed == null) {
                ctx.valueError(loc, value, "could not convert string to float: " + PythonText.repr(text));
                return null;
            }
            return parsed * factor;
        }
        ctx.valueError(loc, value, "Invalid memory size: " + PythonText.repr(value));
        return null;
    }

    /** dstack's {@code Range}: {@code 2}, {@code 2..8}, {@code 2..}, {@code ..8}, or {@code {min, max}}. */
    public static <T extends Number & Comparable<T>> ValueParser<Range<T>> range(ValueParser<T> item) {
        return (ctx, value, loc) -> {
            YamlValue min;
            YamlValue max;
            Object v = Coerce.scalar(value);
            if (v instanceof String s && s.contains("..")) {
                String[] parts = s.replace(" ", "").split("\\.\\.", -1);
                if (parts.length != 2) {
                    ctx.valueError(loc, value, "too many values to unpack (expected 2)");
                    return null;
                }
                min = parts[0].isEmpty() ? null : derived(value, parts[0]);
                max = parts[1].isEmpty() ? null : derived(value, parts[1]);
            } else if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                min = value;
                max = value;
            } else if (value instanceof YamlValue.Mapping) {
                MappingReader o = MappingReader.of(ctx, value, loc);
                min = o.raw("min");
                max = o.raw("max");
                int mark = ctx.mark();
                o.finish();
                if (!ctx.cleanSince(mark)) {
                    return null;
                }
                min = min == null || min.isNullScalar() ? null : min;
                max = max == null || max.isNullScalar() ? null : max;
            } else {
                ctx.error(loc, value, "Input should be a valid dictionary or instance of Range");
                return null;
            }
            int mark = ctx.mark();
            T lo = min == null ? null : item.parse(ctx, min, ReadContext.child(loc, "min"));
            T hi = max == null ? null : item.parse(ctx, max, ReadContext.child(loc, "max"));
            if (!ctx.cleanSince(mark)) {
                return null;
            }
            if (lo == null && hi == null) {
                ctx.valueError(loc, value, "Invalid empty range: ..");
                return null;
            }
            if (lo != null && hi != null && lo.compareTo(hi) > 0) {
                ctx.valueError(loc, value, "Invalid range order: " + PythonText.str(lo) + ".." + PythonText.str(hi));
                return null;
            }
            return new Range<>(lo, hi);
        };
    }

    /** A string cut out of a shorthand keeps the position of the value it came from. */
    static YamlValue derived(YamlValue from, String text) {
        return new YamlValue.Scalar(text, from.line(), from.column());
    }

    public static CpuSpec cpu(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        if (v instanceof Long || v instanceof java.math.BigInteger || v instanceof Boolean) {
            v = PythonText.str(v);
        }
        if (v instanceof String s) {
            String spec = s.replace(" ", "");
            CpuArch arch = null;
            YamlValue count = null;
            for (String token : spec.split(":", -1)) {
                if (token.isEmpty()) {
                    ctx.valueError(loc, value, "CPU spec contains empty token: " + s);
                    return null;
                }
                if (token.contains("..") || token.chars().allMatch(Character::isDigit)) {
                    if (count != null) {
                        ctx.valueError(loc, value, "CPU spec count conflict: " + s);
                        return null;
                    }
                    count = derived(value, token);
                } else {
                    CpuArch parsed = CpuArch.fromAlias(token);
                    if (parsed == null) {
                        ctx.valueError(loc, value, "Invalid CPU architecture: " + s);
                        return null;
                    }
                    if (arch != null) {
                        ctx.valueError(loc, value, "CPU spec arch conflict: " + s);
                        return null;
                    }
                    arch = parsed;
                }
            }
            if (count == null) {
                return new CpuSpec(arch, CpuSpec.DEFAULT.count());
            }
            Range<Integer> range = INT_RANGE.parse(ctx, count, ReadContext.child(loc, "count"));
            return range == null ? null : new CpuSpec(arch, range);
        }
        if (value instanceof YamlValue.Mapping map && !map.entries().isEmpty()
                && map.entries().keySet().stream().allMatch(k -> k.equals("min") || k.equals("max"))) {
            Range<Integer> range = INT_RANGE.parse(ctx, value, ReadContext.child(loc, "count"));
            return range == null ? null : new CpuSpec(null, range);
        }
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        CpuArch arch = o.opt("arch", ResourcesReader::cpuArch);
        Range<Integer> count = o.get("count", INT_RANGE, CpuSpec.DEFAULT.count());
        o.finish();
        return ctx.cleanSince(mark) ? new CpuSpec(arch, count) : null;
    }

    private static CpuArch cpuArch(ReadContext ctx, YamlValue value, String loc) {
        if (Coerce.scalar(value) instanceof String s) {
            CpuArch arch = CpuArch.fromAlias(s);
            if (arch != null) {
                return arch;
            }
        }
        ctx.error(loc, value, "Input should be 'x86' or 'arm'");
        return null;
    }

    public static GpuSpec gpu(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        if (v instanceof Long || v instanceof java.math.BigInteger || v instanceof Boolean) {
            v = PythonText.str(v);
        }
        if (v instanceof String s) {
            return gpuShorthand(ctx, value, loc, s);
        }
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        return gpuFields(o);
    }

    private static GpuSpec gpuShorthand(ReadContext ctx, YamlValue value, String loc, String s) {
        LinkedHashMap<String, Object> spec = new LinkedHashMap<>();
        for (String token : s.replace(" ", "").split(":", -1)) {
            if (token.isEmpty()) {
                ctx.valueError(loc, value, "GPU spec contains empty token: " + s);
                return null;
            }
            GpuVendor vendor = GpuVendor.fromAlias(token);
            String field;
            Object parsed;
            if (vendor != null) {
                field = "vendor";
                parsed = vendor;
            } else if (Character.isLetter(token.charAt(0))) {
                field = "name";
                List<String> names = Arrays.asList(token.split(",", -1));
                if (names.stream().anyMatch(String::isEmpty)) {
                    ctx.valueError(loc, value, "GPU name can not be empty: " + s);
                    return null;
                }
                parsed = names;
            } else if (token.chars().anyMatch(Character::isLetter)) {
                field = "memory";
                parsed = derived(value, token);
            } else {
                field = "count";
                parsed = derived(value, token);
            }
            if (spec.containsKey(field)) {
                ctx.valueError(loc, value, "GPU spec " + field + " conflict: " + s);
                return null;
            }
            spec.put(field, parsed);
        }
        int mark = ctx.mark();
        Range<Integer> count = spec.containsKey("count")
                ? INT_RANGE.parse(ctx, (YamlValue) spec.get("count"), ReadContext.child(loc, "count"))
                : GpuSpec.DEFAULT_COUNT;
        Range<Double> memory = spec.containsKey("memory")
                ? MEMORY_RANGE.parse(ctx, (YamlValue) spec.get("memory"), ReadContext.child(loc, "memory"))
                : null;
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) spec.get("name");
        return ctx.cleanSince(mark)
                ? new GpuSpec((GpuVendor) spec.get("vendor"), stripTpuPrefix(names), count, memory, null, null)
                : null;
    }

    private static GpuSpec gpuFields(MappingReader o) {
        ReadContext ctx = o.ctx();
        int mark = ctx.mark();
        GpuVendor vendor = o.opt("vendor", ResourcesReader::gpuVendor);
        List<String> name = o.opt("name", ResourcesReader::gpuNames);
        Range<Integer> count = o.get("count", INT_RANGE, GpuSpec.DEFAULT_COUNT);
        Range<Double> memory = o.opt("memory", MEMORY_RANGE);
        Range<Double> total = o.opt("total_memory", MEMORY_RANGE);
        ComputeCapability cc = o.opt("compute_capability", ResourcesReader::computeCapability);
        o.finish();
        return ctx.cleanSince(mark) ? new GpuSpec(vendor, name, count, memory, total, cc) : null;
    }

    private static GpuVendor gpuVendor(ReadContext ctx, YamlValue value, String loc) {
        if (Coerce.scalar(value) instanceof String s) {
            GpuVendor vendor = GpuVendor.fromAlias(s);
            if (vendor == null) {
                ctx.valueError(loc, value, "Invalid GpuVendor: " + s);
            }
            return vendor;
        }
        ctx.valueError(loc, value, "Unsupported type: " + PythonText.repr(value));
        return null;
    }

    private static List<String> gpuNames(ReadContext ctx, YamlValue value, String loc) {
        List<String> names;
        if (value instanceof YamlValue.Sequence) {
            names = Coerce.listOf(Coerce::string).parse(ctx, value, loc);
        } else {
            String one = Coerce.string(ctx, value, ReadContext.child(loc, 0));
            names = one == null ? null : List.of(one);
        }
        return names == null ? null : stripTpuPrefix(names);
    }

    private static List<String> stripTpuPrefix(List<String> names) {
        if (names == null) {
            return null;
        }
        List<String> out = new ArrayList<>(names.size());
        for (String name : names) {
            out.add(name.startsWith("tpu-") ? name.substring(4) : name);
        }
        return out;
    }

    private static ComputeCapability computeCapability(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        List<String> parts = null;
        if (v instanceof Double d) {
            parts = Arrays.asList(PythonText.floatRepr(d).split("\\.", -1));
        } else if (v instanceof String s) {
            parts = Arrays.asList(s.strip().split("\\.", -1));
        } else if (value instanceof YamlValue.Sequence seq) {
            parts = new ArrayList<>();
            for (YamlValue item : seq.items()) {
                parts.add(PythonText.str(Coerce.scalar(item)));
            }
        }
        if (parts == null || parts.size() != 2) {
            ctx.valueError(loc, value, "Invalid compute capability: " + PythonText.repr(value));
            return null;
        }
        try {
            return new ComputeCapability(Integer.parseInt(parts.get(0).strip()), Integer.parseInt(parts.get(1).strip()));
        } catch (NumberFormatException e) {
            ctx.valueError(loc, value, "invalid literal for int() with base 10: " + PythonText.repr(parts.get(0)));
            return null;
        }
    }

    public static DiskSpec disk(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            Range<Double> size = MEMORY_RANGE.parse(ctx, value, ReadContext.child(loc, "size"));
            return size == null ? null : new DiskSpec(size);
        }
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        Range<Double> size = o.req("size", MEMORY_RANGE);
        o.finish();
        return ctx.cleanSince(mark) ? new DiskSpec(size) : null;
    }
}
