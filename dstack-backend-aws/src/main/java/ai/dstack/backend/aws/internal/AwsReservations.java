package ai.dstack.backend.aws.internal;

import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CapacityReservation;
import software.amazon.awssdk.services.ec2.model.CapacityReservationState;
import software.amazon.awssdk.services.ec2.model.CapacityReservationType;

/**
 * EC2 capacity reservations and capacity blocks ({@code reservation}): a reservation holds one instance type in one
 * zone, so offers narrow to that type and zone, and a capacity block is launched with the {@code capacity-block}
 * market type, as dstack does.
 */
final class AwsReservations {
    private AwsReservations() {}

    /** The reservation in the region; empty when the region has none of that id. */
    static Optional<CapacityReservation> find(Ec2Client ec2, String region, String id) {
        try {
            return ec2.describeCapacityReservations(r -> r.capacityReservationIds(id)).capacityReservations()
                    .stream().findFirst();
        } catch (SdkException e) {
            String code = AwsErrors.code(e);
            if (code != null && (code.startsWith("InvalidCapacityReservationId") || code.equals("InvalidParameterValue"))) {
                return Optional.empty();
            }
            throw AwsErrors.map(e, "DescribeCapacityReservations " + id + " in " + region);
        }
    }

    /** Whether instances can be launched into it now. */
    static boolean usable(CapacityReservation reservation) {
        return reservation.state() == CapacityReservationState.ACTIVE;
    }

    static boolean isCapacityBlock(CapacityReservation reservation) {
        return reservation.reservationType() == CapacityReservationType.CAPACITY_BLOCK;
    }
}
