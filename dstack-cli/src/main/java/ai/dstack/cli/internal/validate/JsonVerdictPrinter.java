package ai.dstack.cli.internal.validate;

import ai.dstack.api.ValidationError;
import ai.dstack.api.yaml.DstackYaml;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;

/**
 * One compact JSON object per file and line, in the shape of the shared corpus's {@code *.expected.json} plus the
 * file name: {@code {"file", "valid": true, "type", "configuration"}} or {@code {"file", "valid": false, "errors":
 * [{"loc", "msg"}]}}.
 */
public final class JsonVerdictPrinter implements VerdictPrinter {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final PrintWriter out;

    public JsonVerdictPrinter(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void valid(FileVerdict.Valid verdict) {
        ObjectNode line = MAPPER.createObjectNode()
                .put("file", verdict.file())
                .put("valid", true)
                .put("type", verdict.configuration().type().wireValue());
        line.set("configuration", DstackYaml.toJsonTree(verdict.configuration()));
        print(line);
    }

    @Override
    public void invalid(FileVerdict.Invalid verdict) {
        ObjectNode line = MAPPER.createObjectNode().put("file", verdict.file()).put("valid", false);
        ArrayNode errors = line.putArray("errors");
        for (ValidationError error : verdict.errors()) {
            errors.addObject().put("loc", error.loc()).put("msg", error.message());
        }
        print(line);
    }

    private void print(ObjectNode line) {
        try {
            out.println(MAPPER.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree as text", e);
        }
    }
}
