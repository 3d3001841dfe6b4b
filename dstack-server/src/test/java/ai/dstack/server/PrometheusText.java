package ai.dstack.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4) for tests: every line must be a HELP or
 * TYPE comment or a sample; every sample must belong to a family whose TYPE came first (counters' samples end in
 * {@code _total}, histograms' in {@code _bucket}, {@code _sum}, {@code _count}); label values are unescaped. The
 * Prometheus Java client has no parser, so this one checks what Prometheus itself would refuse.
 */
final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME.pattern() + ")(?:\\{(.*)})? (\\S+)(?: (-?\\d+))?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"(,|$)");

    record Sample(String name, Map<String, String> labels, double value) {}

    final Map<String, String> types = new LinkedHashMap<>();
    final Map<String, String> help = new HashMap<>();
    final List<Sample> samples = new ArrayList<>();

    static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText();
        int number = 0;
        for (String line : text.split("\n")) {
            number++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                parsed.help.put(parts[0], parts.length > 1 ? parts[1] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                if (parts.length != 2 || !NAME.matcher(parts[0]).matches()
                        || !List.of("counter", "gauge", "histogram", "summary", "untyped").contains(parts[1])) {
                    throw new IllegalArgumentException("line " + number + ": bad TYPE: " + line);
                }
                if (parsed.types.put(parts[0], parts[1]) != null) {
                    throw new IllegalArgumentException("line " + number + ": second TYPE for " + parts[0]);
                }
            } else if (line.startsWith("#")) {
                continue;
            } else {
                parsed.samples.add(sample(parsed, line, number));
            }
        }
        return parsed;
    }

    private static Sample sample(PrometheusText parsed, String line, int number) {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("line " + number + ": not a sample: " + line);
        }
        String name = m.group(1);
        String family = family(parsed, name);
        if (family == null) {
            throw new IllegalArgumentException("line " + number + ": sample " + name + " before its TYPE");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        String text = m.group(2);
        if (text != null && !text.isEmpty()) {
            Matcher label = LABEL.matcher(text);
            int at = 0;
            while (at < text.length()) {
                if (!label.find(at) || label.start() != at) {
                    throw new IllegalArgumentException("line " + number + ": bad labels: " + text);
                }
                labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
                at = label.end();
            }
        }
        double value = switch (m.group(3)) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(m.group(3));
        };
        return new Sample(name, labels, value);
    }

    /** The family a sample name belongs to, by the suffixes its type allows. */
    private static String family(PrometheusText parsed, String name) {
        for (Map.Entry<String, String> type : parsed.types.entrySet()) {
            String family = type.getKey();
            List<String> names = switch (type.getValue()) {
                case "counter" -> List.of(family + "_total", family);
                case "histogram" -> List.of(family + "_bucket", family + "_sum", family + "_count", family + "_created");
                case "summary" -> List.of(family, family + "_sum", family + "_count");
                default -> List.of(family);
            };
            if (names.contains(name)) {
                return family;
            }
        }
        return null;
    }

    List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    Optional<Sample> sample(String name, Map<String, String> labels) {
        return samples(name).stream().filter(s -> s.labels().entrySet().containsAll(labels.entrySet())).findFirst();
    }
}
