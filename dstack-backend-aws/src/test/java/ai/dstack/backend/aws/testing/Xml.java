package ai.dstack.backend.aws.testing;

import java.util.Map;

/** Builds EC2's XML replies. */
final class Xml {
    private final StringBuilder out = new StringBuilder();

    Xml open(String name) {
        out.append('<').append(name).append('>');
        return this;
    }

    Xml close(String name) {
        out.append("</").append(name).append('>');
        return this;
    }

    Xml el(String name, Object value) {
        if (value != null) {
            out.append('<').append(name).append('>').append(escape(String.valueOf(value))).append("</").append(name)
                    .append('>');
        }
        return this;
    }

    Xml tags(Map<String, String> tags) {
        open("tagSet");
        tags.forEach((k, v) -> open("item").el("key", k).el("value", v).close("item"));
        return close("tagSet");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
