package ai.dstack.backend.gcp.internal;

import com.google.cloud.compute.v1.Operation;
import java.util.function.Supplier;

/** Waits for Compute Engine's long-running operations (zonal, regional or global) and reports their errors. */
final class GcpOperations {
    private static final int MAX_WAITS = 60;

    private final GcpClients clients;
    private final String projectId;

    GcpOperations(GcpClients clients, String projectId) {
        this.clients = clients;
        this.projectId = projectId;
    }

    /** Starts an operation and waits until it is done; throws its error, typed. */
    Operation run(String doing, Supplier<Operation> start) {
        Operation op;
        try {
            op = start.get();
        } catch (RuntimeException e) {
            throw GcpErrors.map(e, doing);
        }
        return await(op, doing);
    }

    Operation await(Operation op, String doing) {
        for (int i = 0; op.getStatus() != Operation.Status.DONE; i++) {
            if (i >= MAX_WAITS) {
                throw new ai.dstack.spi.backend.BackendException(ai.dstack.spi.backend.BackendFailure.OTHER,
                        "gcp: " + doing + ": operation " + op.getName() + " is not done after " + MAX_WAITS
                                + " waits");
            }
            Operation current = op;
            try {
                // operations.wait returns when the operation is done or after up to two minutes
                if (!current.getZone().isEmpty()) {
                    op = clients.zoneOperations().wait(projectId, last(current.getZone()), current.getName());
                } else if (!current.getRegion().isEmpty()) {
                    op = clients.regionOperations().wait(projectId, last(current.getRegion()), current.getName());
                } else {
                    op = clients.globalOperations().wait(projectId, current.getName());
                }
            } catch (RuntimeException e) {
                throw GcpErrors.map(e, doing + " (waiting for " + current.getName() + ")");
            }
        }
        if (op.hasError() && op.getError().getErrorsCount() > 0) {
            throw GcpErrors.fromOperation(op, doing);
        }
        return op;
    }

    /** The last segment of a GCE URL: a zone, region or resource name. */
    static String last(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }
}
