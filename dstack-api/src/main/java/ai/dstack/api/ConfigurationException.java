package ai.dstack.api;

import java.io.Serial;
import java.util.List;
import java.util.stream.Collectors;

/** A configuration (a {@code .dstack.yml} file or a configuration in a request) that does not validate. */
public class ConfigurationException extends DstackException {
    @Serial private static final long serialVersionUID = 1L;

    private final List<ValidationError> errors;

    public ConfigurationException(List<ValidationError> errors) {
        super(ErrorCode.INVALID_REQUEST, errors.stream().map(ValidationError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    /** Every problem found, in the order of the input; never empty. */
    public List<ValidationError> errors() {
        return errors;
    }
}
