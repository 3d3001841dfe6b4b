package ai.dstack.api.yaml.reading;

import java.math.BigDecimal;

/** Renders scalars as Python's {@code str()} does, since dstack's messages and coercions are made with it. */
public final class PythonText {
    private PythonText() {}

    public static String str(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof Double d) {
            return floatRepr(d);
        }
        return value.toString();
    }

    /** Python's shortest round-trip float repr: {@code 3.1}, {@code 100.0}, {@code 1e+16}, {@code 1e-05}. */
    public static String floatRepr(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return (1 / value < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(value))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale(); // position of the first digit
        String sign = value < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String exp = String.format("%s%02d", exponent < 0 ? "-" : "+", Math.abs(exponent));
            return sign + mantissa + "e" + exp;
        }
        String plain = exact.toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    /** Python's {@code repr()} of a string: single quotes unless the text holds one. */
    public static String repr(String text) {
        if (text.contains("'") && !text.contains("\"")) {
            return "\"" + text + "\"";
        }
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** Python's {@code repr()} of a loaded value, for messages. */
    public static String repr(YamlValue value) {
        if (value instanceof YamlValue.Scalar s) {
            return s.value() instanceof String text ? repr(text) : str(s.value());
        }
        return value instanceof YamlValue.Sequence ? "[...]" : "{...}";
    }
}
