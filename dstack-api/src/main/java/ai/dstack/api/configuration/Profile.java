package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.Objects;

/**
 * A named set of {@link ProfileParams}, as a run or fleet spec carries it. On the wire the parameters sit flat next
 * to {@code name} and {@code default}, as in dstack's {@code Profile}.
 *
 * @param params the placement and lifecycle settings; {@link ProfileParams#NONE} when none are set
 * @param name the profile's name; {@code ""} when absent
 * @param isDefault whether {@code dstack apply} uses this profile when none is named; written {@code default}
 */
public record Profile(@JsonUnwrapped ProfileParams params, String name, @JsonProperty("default") boolean isDefault) {
    /** The name dstack gives the profile of a spec submitted without one. */
    public static final String DEFAULT_NAME = "default";

    public Profile {
        params = Objects.requireNonNullElse(params, ProfileParams.NONE);
        name = Objects.requireNonNullElse(name, "");
    }

    /** The profile dstack uses when a spec has none: no parameters, named {@value #DEFAULT_NAME}. */
    public static Profile defaultProfile() {
        return new Profile(ProfileParams.NONE, DEFAULT_NAME, false);
    }

    /** A copy with other parameters, keeping the name. */
    public Profile withParams(ProfileParams newParams) {
        return new Profile(newParams, name, isDefault);
    }
}
