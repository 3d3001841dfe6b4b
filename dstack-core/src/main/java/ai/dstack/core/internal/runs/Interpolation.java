package ai.dstack.core.internal.runs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * dstack's {@code ${{ namespace.name }}} references: {@code ${{ secrets.HF_TOKEN }}} in env values and registry
 * credentials, {@code ${{ dstack.job_num }}} in volume names. {@code $$} stands for a literal {@code $}, so
 * {@code $${{ x.y }}} is left as {@code ${{ x.y }}}. The rules, quirks included, and the messages are dstack's.
 */
public final class Interpolation {
    private static final String OPENING = "${{";
    private static final String CLOSING = "}}";

    /** What one string became, and the references that had no value (left out of the text). */
    public record Result(String text, List<String> missing) {
        public Result {
            missing = List.copyOf(missing);
        }
    }

    private final Map<String, String> variables;
    private final Set<String> skippedNamespaces;

    /**
     * @param namespaces values by namespace and name, e.g. {@code {"secrets": {"HF_TOKEN": "..."}}}
     * @param skippedNamespaces namespaces whose well-formed references are kept as written, for a later pass
     */
    public Interpolation(Map<String, Map<String, String>> namespaces, Set<String> skippedNamespaces) {
        Map<String, String> flat = new LinkedHashMap<>();
        namespaces.forEach((ns, values) -> values.forEach((name, value) -> flat.put(ns + "." + name, value)));
        this.variables = Collections.unmodifiableMap(flat);
        this.skippedNamespaces = Set.copyOf(skippedNamespaces);
    }

    public Interpolation(Map<String, Map<String, String>> namespaces) {
        this(namespaces, Set.of());
    }

    /** References to project secrets: {@code ${{ secrets.NAME }}}. */
    public static Interpolation secrets(Map<String, String> secrets) {
        return new Interpolation(Map.of("secrets", Objects.requireNonNull(secrets, "secrets is null")));
    }

    /**
     * Replaces every reference that has a value and collects those that have none.
     *
     * @throws InterpolationException for an unclosed <code>${{</code> or a malformed reference name
     */
    public Result interpolate(String s) {
        StringBuilder out = new StringBuilder();
        List<String> missing = new ArrayList<>();
        int start = 0;
        while (start < s.length()) {
            int dollar = s.indexOf('$', start);
            if (dollar == -1 || dollar == s.length() - 1) {
                out.append(s, start, s.length());
                break;
            }
            if (s.charAt(dollar + 1) == '$') {
                out.append(s, start, dollar + 1);
                start = dollar + 2;
                continue;
            }
            // As in dstack, the search for the opening restarts at `start`, not at the `$` just found.
            int opening = s.indexOf(OPENING, start);
            if (opening == -1) {
                out.append(s, start, s.length());
                break;
            }
            out.append(s, start, opening);
            int closing = s.indexOf(CLOSING, opening);
            if (closing == -1) {
                throw new InterpolationException("No pattern closing: " + s.substring(opening));
            }
            String name = s.substring(opening + OPENING.length(), closing).strip();
            if (skippedNamespaces.contains(namespaceRoot(name))) {
                if (!isValidName(name)) {
                    throw new InterpolationException("Illegal reference name: " + name);
                }
                out.append(s, opening, closing + CLOSING.length());
            } else if (!isValidName(name)) {
                throw new InterpolationException("Illegal reference name: " + name);
            } else if (variables.containsKey(name)) {
                out.append(variables.get(name));
            } else {
                missing.add(name);
            }
            start = closing + CLOSING.length();
        }
        return new Result(out.toString(), missing);
    }

    /**
     * The string with every reference replaced.
     *
     * @throws InterpolationException naming the references without a value, in dstack's words
     */
    public String interpolateOrError(String s) {
        Result result = interpolate(s);
        if (result.missing().isEmpty()) {
            return result.text();
        }
        throw new InterpolationException("Failed to interpolate due to missing vars: " + pythonList(result.missing()));
    }

    /** {@code namespace.name}: one dot, each part starting with a letter or {@code _}, then letters, digits, {@code _}. */
    public static boolean isValidName(String name) {
        int dot = name.indexOf('.');
        if (dot <= 0 || dot != name.lastIndexOf('.') || dot == name.length() - 1) {
            return false;
        }
        if (!isFirstChar(name.charAt(0)) || !isFirstChar(name.charAt(dot + 1))) {
            return false;
        }
        return name.chars().allMatch(c -> isFirstChar((char) c) || (c >= '0' && c <= '9') || c == '.');
    }

    private static boolean isFirstChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    /** {@code groups[0].nodes[0].IP_ADDRESS} -> {@code groups}. */
    static String namespaceRoot(String name) {
        String first = name.split("\\.", -1)[0];
        int bracket = first.indexOf('[');
        return bracket < 0 ? first : first.substring(0, bracket);
    }

    /** A list as Python prints it, which is how dstack's messages show missing names: {@code ['a', 'b']}. */
    static String pythonList(List<String> items) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            out.append(i == 0 ? "'" : ", '").append(items.get(i)).append('\'');
        }
        return out.append(']').toString();
    }
}
