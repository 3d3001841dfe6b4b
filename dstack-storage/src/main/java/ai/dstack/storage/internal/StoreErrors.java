package ai.dstack.storage.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.sql.SQLException;

/** Turns driver and pool failures into {@link DstackException}s that name the database and the cause. */
final class StoreErrors {
    private StoreErrors() {}

    static DstackException cannotOpen(DatabaseUrl url, Throwable cause) {
        return new DstackException(ErrorCode.INTERNAL,
                "Cannot open the state database " + url.display() + ": " + reason(cause), cause);
    }

    static DstackException failed(DatabaseUrl url, String doing, Throwable cause) {
        SQLException sql = find(cause, SQLException.class);
        if (sql != null && url.dialect().isUniqueViolation(sql)) {
            return new DstackException(ErrorCode.RESOURCE_EXISTS, "Already exists: " + reason(cause), cause);
        }
        if (sql != null && url.dialect().isForeignKeyViolation(sql)) {
            return new DstackException(ErrorCode.RESOURCE_NOT_EXISTS,
                    "Refers to a row that does not exist: " + reason(cause), cause);
        }
        return new DstackException(ErrorCode.INTERNAL,
                doing + " on the state database " + url.display() + " failed: " + reason(cause), cause);
    }

    /** The most telling message in the chain: the driver's own words if it has any, else the innermost cause's. */
    static String reason(Throwable failure) {
        SQLException sql = find(failure, SQLException.class);
        if (sql != null && sql.getMessage() != null) {
            return sql.getMessage();
        }
        Throwable innermost = failure;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        String message = innermost.getMessage();
        return message == null ? innermost.getClass().getSimpleName() : message;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
