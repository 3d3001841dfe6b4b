package ai.dstack.api.run;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.json.internal.Values;
import java.util.List;
import java.util.Objects;

/**
 * The reply of {@code runs/get_plan}: what applying {@code runSpec} would do.
 *
 * @param user the user name of the caller
 * @param runSpec the spec as sent; this is what {@code runs/apply} takes back
 * @param effectiveRunSpec the spec after server-side defaults and policies, or null from older servers
 * @param jobPlans one per job: per node for tasks, per replica of the first replica number for services
 * @param currentResource the existing run of that name, or null
 */
public record RunPlan(
        String projectName,
        String user,
        RunSpec runSpec,
        RunSpec effectiveRunSpec,
        List<JobPlan> jobPlans,
        Run currentResource,
        ApplyAction action) {
    public RunPlan {
        Objects.requireNonNull(projectName, "projectName is null");
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(runSpec, "runSpec is null");
        Objects.requireNonNull(action, "action is null");
        jobPlans = Values.list(jobPlans);
    }

    /** The effective spec when the server sent one, else the spec as sent. */
    public RunSpec effectiveRunSpecOrRunSpec() {
        return effectiveRunSpec != null ? effectiveRunSpec : runSpec;
    }
}
