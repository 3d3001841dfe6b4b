package ai.dstack.api.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.json.DstackJson;
import ai.dstack.api.json.WireSamples;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Reading replies of a newer (or broken) server. */
class RunReadingTest {
    @Test
    void statusesAndReasonsFromANewerServerDoNotBreakReadingARun() throws Exception {
        ObjectNode json = (ObjectNode) WireSamples.tree("run");
        json.put("status", "hibernating");
        json.put("termination_reason", "budget_exhausted");
        json.put("field_from_the_future", true);
        ObjectNode submission = (ObjectNode) json.get("jobs").get(0).get("job_submissions").get(0);
        submission.put("status", "migrating");
        submission.put("termination_reason", "preempted_by_priority");

        Run run = DstackJson.mapper().treeToValue(json, Run.class);

        assertThat(run.status()).isEqualTo(RunStatus.UNKNOWN);
        assertThat(run.terminationReason()).isEqualTo("budget_exhausted");
        assertThat(run.runTerminationReason()).isNull();
        JobSubmission read = run.jobs().get(0).latestSubmission();
        assertThat(read.status()).isEqualTo(JobStatus.UNKNOWN);
        assertThat(read.terminationReason()).isEqualTo("preempted_by_priority");
        assertThat(read.jobTerminationReason()).isNull();
    }

    @Test
    void unknownReasonsAreWrittenBackAsReceived() throws Exception {
        ObjectNode json = (ObjectNode) WireSamples.tree("job-submission");
        json.put("termination_reason", "preempted_by_priority");

        JobSubmission submission = DstackJson.mapper().treeToValue(json, JobSubmission.class);

        assertThat(WireSamples.written(submission).get("termination_reason").asText()).isEqualTo("preempted_by_priority");
    }

    @Test
    void knownReasonsHaveATypedView() {
        Run run = WireSamples.read("run", Run.class);

        assertThat(run.runTerminationReason()).isEqualTo(RunTerminationReason.JOB_FAILED);
        assertThat(run.latestJobSubmission().jobTerminationReason())
                .isEqualTo(JobTerminationReason.CONTAINER_EXITED_WITH_ERROR);
    }

    @Test
    void aMissingRequiredFieldIsReportedByName() {
        ObjectNode json = (ObjectNode) WireSamples.tree("run");
        json.remove("project_name");

        assertThatThrownBy(() -> DstackJson.mapper().treeToValue(json, Run.class))
                .isInstanceOf(JsonMappingException.class)
                .hasMessageContaining("projectName is null");
    }

    @Test
    void deploymentIsInProgressWhileAnActiveSubmissionBelongsToAnOlderDeployment() throws Exception {
        ObjectNode json = (ObjectNode) WireSamples.tree("run");
        ObjectNode submission = (ObjectNode) json.get("jobs").get(0).get("job_submissions").get(0);
        submission.put("deployment_num", 1);
        json.put("deployment_num", 2);

        submission.put("status", "running");
        assertThat(DstackJson.mapper().treeToValue(json, Run.class).deploymentInProgress()).isTrue();

        submission.put("status", "failed");
        assertThat(DstackJson.mapper().treeToValue(json, Run.class).deploymentInProgress()).isFalse();

        submission.put("status", "running");
        submission.put("deployment_num", 2);
        assertThat(DstackJson.mapper().treeToValue(json, Run.class).deploymentInProgress()).isFalse();
    }

    @Test
    void aPlanWithoutEffectiveSpecFallsBackToTheSpecAsSent() throws Exception {
        ObjectNode json = (ObjectNode) WireSamples.tree("run-plan");
        RunPlan withEffective = DstackJson.mapper().treeToValue(json, RunPlan.class);
        json.putNull("effective_run_spec");
        json.with("run_spec").put("run_name", "as-sent");

        RunPlan withoutEffective = DstackJson.mapper().treeToValue(json, RunPlan.class);

        assertThat(withEffective.effectiveRunSpecOrRunSpec()).isSameAs(withEffective.effectiveRunSpec());
        assertThat(withoutEffective.effectiveRunSpecOrRunSpec().runName()).isEqualTo("as-sent");
    }
}
