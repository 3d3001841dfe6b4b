package ai.dstack.api.json;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.fleet.FleetStatus;
import ai.dstack.api.instance.HealthStatus;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.instance.InstanceTerminationReason;
import ai.dstack.api.logs.LogEventSource;
import ai.dstack.api.resources.GpuVendor;
import ai.dstack.api.resources.CpuArch;
import ai.dstack.api.offer.InstanceAvailability;
import ai.dstack.api.offer.InstanceRuntime;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.NetworkMode;
import ai.dstack.api.run.RetryEvent;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.run.RunTerminationReason;
import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.api.volume.VolumeStatus;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every enum of the API model: its wire values, and how it reads values from a newer server. */
class WireEnumsTest {
    private final ObjectMapper mapper = DstackJson.mapper();

    /** Enums a reply may carry: an unknown value must read as a fallback constant, never fail. */
    static Stream<Class<? extends Enum<?>>> tolerantEnums() {
        return Stream.of(RunStatus.class, JobStatus.class, InstanceStatus.class, FleetStatus.class, VolumeStatus.class,
                HealthStatus.class, InstanceAvailability.class, InstanceRuntime.class, GpuVendor.class,
                CpuArch.class, NetworkMode.class, RetryEvent.class, LogEventSource.class, GlobalRole.class,
                ProjectRole.class, ApplyAction.class);
    }

    static Stream<Class<? extends Enum<?>>> allEnums() {
        return Stream.concat(tolerantEnums(),
                Stream.of(RunTerminationReason.class, JobTerminationReason.class, InstanceTerminationReason.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allEnums")
    void everyConstantWritesItsWireValueAndReadsBack(Class<? extends Enum<?>> type) throws Exception {
        for (Enum<?> constant : type.getEnumConstants()) {
            String json = mapper.writeValueAsString(constant);

            assertThat(json).matches("\"[a-z0-9_-]+\"");
            assertThat(mapper.readValue(json, type)).isSameAs(constant);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tolerantEnums")
    void aValueFromANewerServerReadsAsTheUnknownConstant(Class<? extends Enum<?>> type) throws Exception {
        Enum<?> read = mapper.readValue("\"invented_in_2030\"", type);

        assertThat(read.name()).isEqualTo("UNKNOWN");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tolerantEnums")
    void jsonNullStaysNull(Class<? extends Enum<?>> type) throws Exception {
        assertThat((Object) mapper.readValue("null", type)).isNull();
    }

    @Test
    void runStatusesAreFinishedOrActiveAsInDstack() {
        assertThat(matching(RunStatus.values(), RunStatus::isFinished))
                .containsExactly(RunStatus.TERMINATED, RunStatus.FAILED, RunStatus.DONE);
        assertThat(matching(RunStatus.values(), RunStatus::isActive))
                .containsExactly(RunStatus.PENDING, RunStatus.SUBMITTED, RunStatus.PROVISIONING, RunStatus.RUNNING,
                        RunStatus.TERMINATING);
    }

    @Test
    void jobStatusesAreFinishedOrActiveAsInDstack() {
        assertThat(matching(JobStatus.values(), JobStatus::isFinished))
                .containsExactly(JobStatus.TERMINATED, JobStatus.ABORTED, JobStatus.FAILED, JobStatus.DONE);
        assertThat(matching(JobStatus.values(), JobStatus::isActive))
                .containsExactly(JobStatus.SUBMITTED, JobStatus.PROVISIONING, JobStatus.PULLING, JobStatus.RUNNING,
                        JobStatus.TERMINATING);
    }

    @Test
    void instanceStatusesAreAvailableActiveOrFinishedAsInDstack() {
        assertThat(matching(InstanceStatus.values(), InstanceStatus::isAvailable))
                .containsExactly(InstanceStatus.IDLE, InstanceStatus.BUSY);
        assertThat(matching(InstanceStatus.values(), InstanceStatus::isFinished))
                .containsExactly(InstanceStatus.TERMINATING, InstanceStatus.TERMINATED);
        assertThat(matching(InstanceStatus.values(), InstanceStatus::isActive))
                .containsExactly(InstanceStatus.PENDING, InstanceStatus.PROVISIONING, InstanceStatus.IDLE,
                        InstanceStatus.BUSY);
    }

    @Test
    void volumeStatusesAreActiveUntilFailed() {
        assertThat(matching(VolumeStatus.values(), VolumeStatus::isActive))
                .containsExactly(VolumeStatus.SUBMITTED, VolumeStatus.PROVISIONING, VolumeStatus.ACTIVE);
        assertThat(matching(VolumeStatus.values(), VolumeStatus::isFinished)).containsExactly(VolumeStatus.FAILED);
    }

    @Test
    void offersAreWorthTryingWhenUnknownAvailableOrIdle() {
        assertThat(matching(InstanceAvailability.values(), InstanceAvailability::isAvailable))
                .containsExactly(InstanceAvailability.UNKNOWN, InstanceAvailability.AVAILABLE, InstanceAvailability.IDLE);
    }

    @Test
    void healthIsHealthyOrFailure() {
        assertThat(matching(HealthStatus.values(), HealthStatus::isHealthy)).containsExactly(HealthStatus.HEALTHY);
        assertThat(matching(HealthStatus.values(), HealthStatus::isFailure)).containsExactly(HealthStatus.FAILURE);
    }

    @Test
    void vendorsAndArchitecturesAreCastCaseInsensitivelyLikeDstack() throws Exception {
        assertThat(mapper.readValue("\"NVIDIA\"", GpuVendor.class)).isEqualTo(GpuVendor.NVIDIA);
        assertThat(mapper.readValue("\"ARM\"", CpuArch.class)).isEqualTo(CpuArch.ARM);
    }

    private static <E> List<E> matching(E[] values, Predicate<E> test) {
        return Arrays.stream(values).filter(test).toList();
    }
}
