package ai.dstack.core.app;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.Serial;
import java.util.List;

/**
 * A request argument that does not validate, naming the field: {@link ErrorCode#INVALID_REQUEST}, which a REST
 * server answers with a 422 whose {@code loc} is {@link #field()} under {@code body}.
 */
public final class InvalidArgument extends DstackException {
    @Serial private static final long serialVersionUID = 1L;

    private final List<String> field;

    public InvalidArgument(List<String> field, String message) {
        super(ErrorCode.INVALID_REQUEST, String.join(".", field) + ": " + message);
        this.field = List.copyOf(field);
    }

    /** The path of the field, e.g. {@code [name_pattern]}. */
    public List<String> field() {
        return field;
    }

    /** The message without the field. */
    public String problem() {
        String message = getMessage();
        return message.substring(message.indexOf(": ") + 2);
    }
}
