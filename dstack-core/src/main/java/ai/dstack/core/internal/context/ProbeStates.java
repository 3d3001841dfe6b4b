package ai.dstack.core.internal.context;

import ai.dstack.api.run.Probe;
import java.util.List;
import java.util.UUID;

/** Probe states of a job submission, as the engine's probes know them (run views show them). */
public interface ProbeStates {
    ProbeStates NONE = jobId -> List.of();

    List<Probe> of(UUID jobId);
}
