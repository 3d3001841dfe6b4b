package ai.dstack.api.json;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.project.Project;
import ai.dstack.api.project.ProjectsInfoList;
import ai.dstack.api.repo.RepoHeadWithCreds;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.secret.Secret;
import ai.dstack.api.server.ServerInfo;
import ai.dstack.api.user.User;
import ai.dstack.api.user.UserWithCreds;
import ai.dstack.api.user.UsersInfoList;
import ai.dstack.api.volume.Volume;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every sample that dstack's pydantic models wrote reads into our records and writes back the same JSON. */
class WireSamplesTest {
    static Stream<Arguments> fullSamples() {
        return Stream.of(
                Arguments.of("instance-offer", InstanceOfferWithAvailability.class),
                Arguments.of("instance", Instance.class),
                Arguments.of("fleet", Fleet.class),
                Arguments.of("fleet-plan", FleetPlan.class),
                Arguments.of("job-spec", JobSpec.class),
                Arguments.of("job-submission", JobSubmission.class),
                Arguments.of("run", Run.class),
                Arguments.of("run-plan", RunPlan.class),
                Arguments.of("user", User.class),
                Arguments.of("user-with-creds", UserWithCreds.class),
                Arguments.of("project", Project.class),
                Arguments.of("projects-info-list", ProjectsInfoList.class),
                Arguments.of("users-info-list", UsersInfoList.class),
                Arguments.of("secret", Secret.class),
                Arguments.of("server-info", ServerInfo.class),
                Arguments.of("volume", Volume.class),
                Arguments.of("job-submission-logs", JobSubmissionLogs.class),
                Arguments.of("poll-logs-request", PollLogsRequest.class),
                Arguments.of("repo-head-with-creds", RepoHeadWithCreds.class));
    }

    static Stream<Arguments> minimalSamples() {
        return Stream.of(
                Arguments.of("instance-offer", InstanceOfferWithAvailability.class),
                Arguments.of("instance", Instance.class),
                Arguments.of("fleet", Fleet.class),
                Arguments.of("job-spec", JobSpec.class),
                Arguments.of("job-submission", JobSubmission.class),
                Arguments.of("run", Run.class),
                Arguments.of("project", Project.class),
                Arguments.of("job-submission-logs", JobSubmissionLogs.class),
                Arguments.of("poll-logs-request", PollLogsRequest.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fullSamples")
    void fullDumpRoundTripsUnchanged(String sample, Class<?> type) {
        Object value = WireSamples.read(sample, type);

        assertThat(WireSamples.written(value)).isEqualTo(WireSamples.tree(sample));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fullSamples")
    void fullDumpIsWrittenInDstackFieldOrder(String sample, Class<?> type) throws Exception {
        Object value = WireSamples.read(sample, type);
        String compact = DstackJson.mapper().writeValueAsString(WireSamples.tree(sample));

        assertThat(DstackJson.mapper().writeValueAsString(value)).isEqualTo(compact);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("minimalSamples")
    void requiredFieldsAloneAreCompletedWithDstackDefaults(String sample, Class<?> type) {
        Object value = WireSamples.read(sample + ".minimal", type);

        assertThat(WireSamples.written(value)).isEqualTo(WireSamples.tree(sample + ".minimal.expected"));
    }
}
