package ai.dstack.api.instance;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonValue;

/** Why an instance was terminated. Carried as a string on the wire; see {@code Instance.instanceTerminationReason()}. */
public enum InstanceTerminationReason {
    TERMINATED_BY_USER("terminated_by_user"),
    IDLE_TIMEOUT("idle_timeout"),
    PROVISIONING_TIMEOUT("provisioning_timeout"),
    ERROR("error"),
    JOB_FINISHED("job_finished"),
    UNREACHABLE("unreachable"),
    NO_OFFERS("no_offers"),
    MASTER_FAILED("master_failed"),
    MAX_INSTANCES_LIMIT("max_instances_limit"),
    FLEET_SPEC_MISMATCH("fleet_spec_mismatch"),
    NO_BALANCE("no_balance");

    private final String wireValue;

    InstanceTerminationReason(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}, or null for null or a value this version does not know. */
    public static InstanceTerminationReason fromWireValue(String value) {
        return WireValues.lookup(values(), InstanceTerminationReason::wireValue, value, null);
    }
}
