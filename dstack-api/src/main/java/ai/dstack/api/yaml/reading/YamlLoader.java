package ai.dstack.api.yaml.reading;

import ai.dstack.api.ValidationError;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;
import org.yaml.snakeyaml.DumperOptions;

/**
 * Loads YAML into {@link YamlValue}s exactly as PyYAML's {@code safe_load} (YAML 1.1) types scalars, since that
 * is what dstack sees: {@code off} is {@code false}, {@code 1e5} is a string, {@code 1:30} is 90.
 * SnakeYAML does the syntax; plain scalars are typed here because SnakeYAML's YAML 1.1 rules differ in details.
 */
public final class YamlLoader {
    private static final Tag IMPLICIT = new Tag("tag:dstack.ai,2024:implicit");

    private static final Pattern BOOL = Pattern.compile("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
    private static final Pattern TRUE = Pattern.compile("yes|Yes|YES|true|True|TRUE|on|On|ON");
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Pattern INT = Pattern.compile(
            "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
    private static final Pattern FLOAT = Pattern.compile(
            "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
                    + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
    private static final Pattern TIMESTAMP = Pattern.compile(
            "[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
                    + "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?");

    /** Documents larger than this are refused before parsing: no configuration comes near it. */
    private static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

    private YamlLoader() {}

    /** The outcome of loading: a value, or the one syntax error that stopped the load. */
    public record Loaded(YamlValue value, ValidationError error) {}

    public static Loaded load(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(100);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setMergeOnCompose(true);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
                options, new PythonResolver());
        Node root;
        try {
            root = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? e.getContext() + ": " : "";
            return new Loaded(null, new ValidationError("yaml", "Invalid YAML: " + context + problem, source,
                    mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1));
        } catch (YAMLException | StackOverflowError e) {
            String message = e instanceof StackOverflowError ? "the document is nested too deeply" : e.getMessage();
            return new Loaded(null, new ValidationError("yaml", "Invalid YAML: " + message, source, 0, 0));
        }
        if (root == null) {
            return new Loaded(new YamlValue.Scalar(null, 1, 1), null);
        }
        try {
            return new Loaded(new Converter(source).convert(root, 0), null);
        } catch (ConversionException e) {
            return new Loaded(null, e.error);
        }
    }

    /** Leaves plain scalars (other than merge keys) for {@link #typePlain} to type. */
    private static final class PythonResolver extends Resolver {
        @Override
        public Tag resolve(NodeId kind, String value, boolean implicit) {
            if (kind == NodeId.scalar && implicit) {
                return "<<".equals(value) ? Tag.MERGE : IMPLICIT;
            }
            return super.resolve(kind, value, implicit);
        }
    }

    private static final class ConversionException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ValidationError error;

        ConversionException(ValidationError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    private static final class Converter {
        private final String source;
        /** Aliases make a DAG; a node reached again through itself would recurse forever. */
        private final Map<Node, Boolean> inProgress = new IdentityHashMap<>();
        private int converted;

        Converter(String source) {
            this.source = source;
        }

        YamlValue convert(Node node, int depth) {
            int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
            int column = node.getStartMark() == null ? 0 : node.getStartMark().getColumn() + 1;
            if (depth > 200 || ++converted > 2_000_000) {
                throw fail(node, "the document is nested too deeply or is too large");
            }
            if (inProgress.put(node, Boolean.TRUE) != null) {
                throw fail(node, "recursive aliases are not supported");
            }
            try {
                if (node instanceof ScalarNode scalar) {
                    return new YamlValue.Scalar(scalarValue(scalar), line, column);
                }
                if (node instanceof SequenceNode sequence) {
                    List<YamlValue> items = new ArrayList<>(sequence.getValue().size());
                    for (Node item : sequence.getValue()) {
                        items.add(convert(item, depth + 1));
                    }
                    return new YamlValue.Sequence(items, line, column);
                }
                MappingNode mapping = (MappingNode) node;
                LinkedHashMap<String, YamlValue> entries = new LinkedHashMap<>();
                java.util.Map<String, YamlValue> keys = new java.util.HashMap<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    Node keyNode = tuple.getKeyNode();
                    if (!(keyNode instanceof ScalarNode keyScalar)) {
                        throw fail(keyNode, "found unhashable key");
                    }
                    Object keyValue = scalarValue(keyScalar);
                    String key = PythonText.str(keyValue);
                    entries.remove(key); // PyYAML keeps the last duplicate, in its position
                    entries.put(key, convert(tuple.getValueNode(), depth + 1));
                    if (keyScalar.getStartMark() != null) {
                        keys.put(key, new YamlValue.Scalar(keyValue, keyScalar.getStartMark().getLine() + 1,
                                keyScalar.getStartMark().getColumn() + 1));
                    }
                }
                return new YamlValue.Mapping(entries, line, column, keys);
            } finally {
                inProgress.remove(node);
            }
        }

        private Object scalarValue(ScalarNode node) {
            Tag tag = node.getTag();
            String text = node.getValue();
            if (IMPLICIT.equals(tag)) {
                return typePlain(text);
            }
            if (Tag.STR.equals(tag) || Tag.TIMESTAMP.equals(tag) || Tag.BINARY.equals(tag)) {
                return text;
            }
            if (Tag.NULL.equals(tag)) {
                return null;
            }
            if (Tag.BOOL.equals(tag)) {
                return TRUE.matcher(text).matches() || "y".equalsIgnoreCase(text);
            }
            if (Tag.INT.equals(tag) && INT.matcher(text).matches()) {
                return parseInt(text);
            }
            if (Tag.FLOAT.equals(tag) && (FLOAT.matcher(text).matches() || INT.matcher(text).matches())) {
                return parseFloat(text);
            }
            throw fail(node, "could not determine a constructor for the tag " + tag.getValue());
        }

        private ConversionException fail(Node node, String problem) {
            Mark mark = node.getStartMark();
            return new ConversionException(new ValidationError("yaml", "Invalid YAML: " + problem, source,
                    mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1));
        }
    }

    static Object typePlain(String text) {
        if (NULL.matcher(text).matches()) {
            return null;
        }
        if (BOOL.matcher(text).matches()) {
            return TRUE.matcher(text).matches();
        }
        if (INT.matcher(text).matches()) {
            return parseInt(text);
        }
        if (FLOAT.matcher(text).matches()) {
            return parseFloat(text);
        }
        // Timestamps become datetime objects in PyYAML; as text they still reach string fields the same way.
        return text;
    }

    /** PyYAML's int constructor: underscores, sign, 0b, 0x, leading-zero octal and base-60. */
    static Number parseInt(String text) {
        String value = text.replace("_", "");
        int sign = 1;
        if (value.startsWith("-")) {
            sign = -1;
            value = value.substring(1);
        } else if (value.startsWith("+")) {
            value = value.substring(1);
        }
        BigInteger result;
        if (value.equals("0")) {
            result = BigInteger.ZERO;
        } else if (value.startsWith("0b")) {
            result = new BigInteger(value.substring(2), 2);
        } else if (value.startsWith("0x")) {
            result = new BigInteger(value.substring(2), 16);
        } else if (value.startsWith("0")) {
            result = new BigInteger(value.substring(1), 8);
        } else if (value.contains(":")) {
            result = BigInteger.ZERO;
            for (String digit : value.split(":")) {
                result = result.multiply(BigInteger.valueOf(60)).add(new BigInteger(digit));
            }
        } else {
            result = new BigInteger(value);
        }
        result = sign < 0 ? result.negate() : result;
        return result.bitLength() < 64 ? (Number) result.longValue() : result;
    }

    /** PyYAML's float constructor: underscores, base-60, .inf and .nan. */
    static Double parseFloat(String text) {
        String value = text.replace("_", "").toLowerCase();
        double sign = 1;
        if (value.startsWith("-")) {
            sign = -1;
            value = value.substring(1);
        } else if (value.startsWith("+")) {
            value = value.substring(1);
        }
        if (value.equals(".inf")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (value.equals(".nan")) {
            return Double.NaN;
        }
        if (value.contains(":")) {
            double result = 0;
            for (String digit : value.split(":")) {
                result = result * 60 + Double.parseDouble(digit);
            }
            return sign * result;
        }
        return sign * Double.parseDouble(value);
    }
}
