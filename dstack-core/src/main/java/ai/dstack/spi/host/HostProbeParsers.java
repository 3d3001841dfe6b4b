package ai.dstack.spi.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure functions that turn the output of a host's probes ({@code /proc/meminfo}, {@code nvidia-smi},
 * {@code amd-smi}, {@code rocm-smi}) into {@link HostResources} parts. Shared by local and remote detectors: they
 * run the same commands, locally or over SSH, and parse here. GPU names follow dstack's short names.
 */
public final class HostProbeParsers {

    /** Query whose output {@link #parseNvidiaSmi} reads. */
    public static final List<String> NVIDIA_SMI_COMMAND =
            List.of("nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits");

    /** Query whose output {@link #parseAmdSmi} reads (ROCm 6 and later). */
    public static final List<String> AMD_SMI_COMMAND = List.of("amd-smi", "static", "--json", "--asic", "--vram");

    /** Query whose output {@link #parseRocmSmi} reads (older ROCm, before amd-smi). */
    public static final List<String> ROCM_SMI_COMMAND =
            List.of("rocm-smi", "--showproductname", "--showmeminfo", "vram", "--json");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MEM_TOTAL = Pattern.compile("(?m)^MemTotal:\\s*(\\d+)\\s*kB");
    private static final Pattern NVIDIA_MODEL = Pattern.compile("[AHLPTV]\\d+\\w*");
    private static final Pattern NVIDIA_RTX_A_MODEL = Pattern.compile("A\\d+");
    private static final Pattern SUPER = Pattern.compile("(?i) ?SUPER");
    private static final Pattern AMD_INSTINCT =
            Pattern.compile("^(?:AMD )?(?:Instinct )?(MI\\d{1,3}[A-Z]?(?:-\\w+)?)(?:\\s|$)", Pattern.CASE_INSENSITIVE);
    private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)");

    private HostProbeParsers() {}

    /** Total memory in MiB from the text of {@code /proc/meminfo}. */
    public static long parseMemInfoTotalMib(String meminfo) {
        Matcher matcher = MEM_TOTAL.matcher(meminfo);
        if (!matcher.find()) {
            throw new IllegalArgumentException("/proc/meminfo has no 'MemTotal: <n> kB' line");
        }
        return Long.parseLong(matcher.group(1)) / 1024;
    }

    /** dstack's architecture name ({@code x86}, {@code arm}) for {@code uname -m} or {@code os.arch}. */
    public static String cpuArchOf(String machine) {
        return switch (machine.trim().toLowerCase(Locale.ROOT)) {
            case "x86_64", "amd64", "x86-64", "x64", "i386", "i686", "x86" -> "x86";
            case "aarch64", "arm64", "arm", "armv7l", "armv8l" -> "arm";
            default -> "unknown";
        };
    }

    /**
     * GPUs from {@code nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits}: one line per GPU,
     * {@code <name>, <MiB>}. Further columns are ignored; a memory of {@code [N/A]} counts as 0.
     */
    public static List<HostGpu> parseNvidiaSmi(String output) {
        List<Detected> detected = new ArrayList<>();
        String[] lines = output.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split(",");
            if (fields.length < 2) {
                throw new IllegalArgumentException(
                        "nvidia-smi output line " + (i + 1) + " '" + line + "' is not '<name>, <memory MiB>'");
            }
            detected.add(new Detected("nvidia", nvidiaShortName(fields[0].strip()), leadingMib(fields[1], 1)));
        }
        return group(detected);
    }

    /**
     * GPUs from {@code amd-smi static --json --asic --vram}: a JSON array of GPUs (ROCm 6) or an object with a
     * {@code gpu_data} array (ROCm 7); the name is {@code asic.market_name}, the memory {@code vram.size} in MiB
     * (a number, {@code {"value": n}} or {@code "n MB"}).
     */
    public static List<HostGpu> parseAmdSmi(String output) {
        JsonNode root = readJson("amd-smi", output);
        JsonNode gpus = root.isArray() ? root : root.path("gpu_data");
        if (!gpus.isArray()) {
            throw new IllegalArgumentException("amd-smi output is neither a JSON array nor an object with 'gpu_data'");
        }
        List<Detected> detected = new ArrayList<>();
        for (JsonNode gpu : gpus) {
            String name = gpu.path("asic").path("market_name").asText("").strip();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("amd-smi output has a GPU without asic.market_name: " + gpu);
            }
            JsonNode size = gpu.path("vram").path("size");
            long mib = size.isObject() ? jsonMib(size.path("value"), 1) : jsonMib(size, 1);
            detected.add(new Detected("amd", amdShortName(name), mib));
        }
        return group(detected);
    }

    /**
     * GPUs from {@code rocm-smi --showproductname --showmeminfo vram --json}: an object with one {@code cardN} entry
     * per GPU; the name is {@code Card series} (or {@code Card model}), the memory {@code VRAM Total Memory (B)}.
     */
    public static List<HostGpu> parseRocmSmi(String output) {
        JsonNode root = readJson("rocm-smi", output);
        List<Detected> detected = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> card = it.next();
            if (!card.getKey().startsWith("card")) {
                continue; // "system" holds driver details, not a GPU
            }
            JsonNode fields = card.getValue();
            String name = firstText(fields, "Card series", "Card Series", "Card model", "Card SKU");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("rocm-smi output has no product name for " + card.getKey()
                        + "; was it run with --showproductname?");
            }
            long mib = jsonMib(fields.path("VRAM Total Memory (B)"), 1024 * 1024);
            detected.add(new Detected("amd", amdShortName(name), mib));
        }
        return group(detected);
    }

    /** dstack's short name for an {@code nvidia-smi} GPU name: "NVIDIA A100-SXM4-80GB" is {@code A100}. */
    public static String nvidiaShortName(String name) {
        String n = name.replace("NVIDIA ", "")
                .replace("Tesla ", "")
                .replace("Quadro ", "")
                .replace("GeForce ", "");
        if (n.contains("GH200")) {
            return "GH200";
        }
        if (n.contains("RTX A")) {
            n = n.replace("RTX A", "A");
            Matcher model = NVIDIA_RTX_A_MODEL.matcher(n);
            return model.find() ? model.group() : n.replace(" ", "");
        }
        n = n.replace(" Ti", "Ti");
        n = SUPER.matcher(n).replaceAll("SUPER");
        n = n.replace(" NVL", "NVL").replace(" Ada Generation", "Ada").replace("RTX ", "RTX");
        Matcher model = NVIDIA_MODEL.matcher(n);
        return model.find() ? model.group() : n.replace(" ", "");
    }

    /** dstack's short name for an AMD market name: "AMD Instinct MI300X" and "MI300X-O" are {@code MI300X}. */
    public static String amdShortName(String marketName) {
        String n = marketName.strip();
        Matcher instinct = AMD_INSTINCT.matcher(n);
        if (instinct.find()) {
            n = instinct.group(1);
        }
        return n.equals("MI300X-O") ? "MI300X" : n;
    }

    private record Detected(String vendor, String name, long memoryMib) {}

    private static List<HostGpu> group(List<Detected> detected) {
        Map<Detected, Integer> counts = new LinkedHashMap<>();
        detected.forEach(gpu -> counts.merge(gpu, 1, Integer::sum));
        List<HostGpu> gpus = new ArrayList<>();
        counts.forEach((gpu, count) -> gpus.add(new HostGpu(gpu.vendor(), gpu.name(), gpu.memoryMib(), count)));
        return gpus;
    }

    private static JsonNode readJson(String tool, String output) {
        try {
            return JSON.readTree(output);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(tool + " output is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String firstText(JsonNode fields, String... names) {
        for (String name : names) {
            String value = fields.path(name).asText("").strip();
            if (!value.isEmpty()) {
                return value;
            }
        }
        return "";
    }

    /** A memory amount as number or text ("196592", "196592 MB"), divided by {@code unitsPerMib}; 0 if absent. */
    private static long jsonMib(JsonNode node, long unitsPerMib) {
        if (node.isNumber()) {
            return node.asLong() / unitsPerMib;
        }
        return node.isTextual() ? leadingMib(node.asText(), unitsPerMib) : 0;
    }

    private static long leadingMib(String text, long unitsPerMib) {
        Matcher number = LEADING_NUMBER.matcher(text);
        return number.find() ? (long) Double.parseDouble(number.group(1)) / unitsPerMib : 0;
    }
}
