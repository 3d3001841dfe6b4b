package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** A backend (cloud or on-prem provider) as dstack names it. */
public enum BackendType {
    AMDDEVCLOUD("amddevcloud"),
    AWS("aws"),
    AZURE("azure"),
    CLOUDRIFT("cloudrift"),
    CRUSOE("crusoe"),
    CUDO("cudo"),
    DATACRUNCH("datacrunch"),
    DIGITALOCEAN("digitalocean"),
    DSTACK("dstack"),
    GCP("gcp"),
    HOTAISLE("hotaisle"),
    JARVISLABS("jarvislabs"),
    KUBERNETES("kubernetes"),
    LAMBDA("lambda"),
    REMOTE("remote"),
    NEBIUS("nebius"),
    OCI("oci"),
    RUNPOD("runpod"),
    TENSORDOCK("tensordock"),
    VASTAI("vastai"),
    VERDA("verda"),
    VULTR("vultr"),
    SLURM("slurm");

    private final String wireValue;

    BackendType(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(BackendType::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static BackendType fromWireValue(String value) {
        for (BackendType v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
