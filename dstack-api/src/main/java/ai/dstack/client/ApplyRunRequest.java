package ai.dstack.client;

import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import java.util.Objects;

/**
 * What {@code runs/apply} takes: a spec, the run it is meant to replace, and whether to apply regardless.
 *
 * <p>dstack's own flow is plan first, then apply the plan, so that the server can refuse when the run changed in
 * between ("Resource has been changed"):
 * <pre>{@code
 * RunPlan plan = project.getRunPlan(spec);
 * Run run = project.applyRun(ApplyRunRequest.of(plan));
 * }</pre>
 *
 * @param runSpec the spec as planned ({@link RunPlan#runSpec()}, not the effective spec)
 * @param currentResource the run the plan saw under the same name, or null for a new run
 * @param force apply even if the current run changed since the plan
 */
public record ApplyRunRequest(RunSpec runSpec, Run currentResource, boolean force) {
    public ApplyRunRequest {
        Objects.requireNonNull(runSpec, "runSpec is null");
    }

    /** Applies a plan as the server made it. */
    public static ApplyRunRequest of(RunPlan plan) {
        Objects.requireNonNull(plan, "plan is null");
        return new ApplyRunRequest(plan.runSpec(), plan.currentResource(), false);
    }

    /** Submits a spec without a plan: fine for a new run name, refused for an active run of that name. */
    public static ApplyRunRequest of(RunSpec runSpec) {
        return new ApplyRunRequest(runSpec, null, false);
    }

    /** The same request, applied even if the run changed since the plan. */
    public ApplyRunRequest forced() {
        return new ApplyRunRequest(runSpec, currentResource, true);
    }
}
