package io.quiver.datanode.compaction;

import io.quiver.common.binlog.DeleteBatch;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import java.util.HashMap;
import java.util.Map;

/**
 * The largest delete timestamp of each primary key (Long or String) of some deltalogs. Under MVCC a delete of pk
 * at ts d hides a row of that pk inserted at t when t &lt; d, so a row is hidden exactly when the largest delete
 * of its key is above its timestamp.
 */
final class DeleteIndex {
    private final Map<Object, Long> maxDeleteTs = new HashMap<>();

    void add(DeleteBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            add(key(batch, i), batch.timestamps()[i]);
        }
    }

    void add(Object pk, long ts) {
        maxDeleteTs.merge(pk, ts, Math::max);
    }

    /** Whether a row of {@code pk} inserted at {@code rowTs} is hidden. */
    boolean hides(Object pk, long rowTs) {
        Long d = maxDeleteTs.get(pk);
        return d != null && rowTs < d;
    }

    boolean isEmpty() {
        return maxDeleteTs.isEmpty();
    }

    /** The primary key of entry {@code i} of a delete batch, boxed (Long or String). */
    static Object key(DeleteBatch batch, int i) {
        return batch.longPks() != null ? (Object) batch.longPks()[i] : batch.stringPks()[i];
    }

    /** The primary key of row {@code row} of a primary-key column (INT64 or VARCHAR), boxed. */
    static Object key(FieldColumn pk, int row) {
        return switch (pk) {
            case LongColumn c -> c.get(row);
            case StringColumn c -> c.get(row);
            default -> throw new IllegalArgumentException("primary key column must be INT64 or VARCHAR, not " + pk.type());
        };
    }
}
