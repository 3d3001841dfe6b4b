package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** What to do when the repo directory already exists in the job. */
public enum RepoExistsAction {
    ERROR("error"),
    SKIP("skip");

    private final String wireValue;

    RepoExistsAction(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(RepoExistsAction::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static RepoExistsAction fromWireValue(String value) {
        for (RepoExistsAction v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
