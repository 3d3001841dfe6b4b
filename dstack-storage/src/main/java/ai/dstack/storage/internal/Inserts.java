package ai.dstack.storage.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;

/** Turns "inserted nothing" into the error a caller can act on. */
final class Inserts {
    private Inserts() {}

    static void insert(TxContext tx, RecordSql sql, Object row, String what) {
        insert(tx, sql.insertIfAbsent(), row, what);
    }

    static void insert(TxContext tx, String insertIfAbsent, Object row, String what) {
        int inserted = tx.handle().createUpdate(insertIfAbsent).bindMethods(row).execute();
        if (inserted == 0) {
            throw new DstackException(ErrorCode.RESOURCE_EXISTS, what + " already exists");
        }
    }
}
