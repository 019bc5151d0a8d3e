package io.quiver.datanode.compaction;

import static java.util.Objects.requireNonNull;

import io.quiver.common.binlog.PkStats;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Chooses the rows a mix compaction keeps, over the concatenated rows of its inputs (input order = row order).
 *
 * <p>A row is dropped, counted under the first reason that applies, when it is deleted (a delete of its key has a
 * larger timestamp), expired ({@code ts < expireTs}, when {@code expireTs != 0}) or superseded (another row of its
 * key has a larger timestamp, or the same timestamp and a later position: "latest wins", plain inserts included).
 * If the latest version of a key is deleted or expired, so is every older one, so at most one row per key stays.
 * The survivors come back sorted by primary key (as Milvus sorts compaction output), which is deterministic since
 * the keys are unique.
 */
final class MixMerge {
    /** The rows kept (indexes into the input columns, sorted by key) and the drop counters. */
    record Outcome(int[] survivors, long droppedDeleted, long droppedExpired, long droppedSuperseded) {}

    private MixMerge() {}

    static Outcome run(FieldColumn pk, LongColumn ts, DeleteIndex deletes, long expireTs) {
        requireNonNull(pk, "pk is null");
        requireNonNull(ts, "ts is null");
        requireNonNull(deletes, "deletes is null");
        int n = ts.size();
        Object[] keys = new Object[n];
        Map<Object, Integer> latest = new HashMap<>(Math.max(16, n * 2));
        for (int r = 0; r < n; r++) {
            keys[r] = DeleteIndex.key(pk, r);
            long t = ts.get(r);
            latest.merge(keys[r], r, (prev, cur) -> ts.get(prev) > t ? prev : cur);
        }
        int[] keep = new int[n];
        int kept = 0;
        long deleted = 0, expired = 0, superseded = 0;
        for (int r = 0; r < n; r++) {
            long t = ts.get(r);
            if (deletes.hides(keys[r], t)) {
                deleted++;
            } else if (expireTs != 0 && t < expireTs) {
                expired++;
            } else if (latest.get(keys[r]) != r) {
                superseded++;
            } else {
                keep[kept++] = r;
            }
        }
        int[] survivors = sortByKey(Arrays.copyOf(keep, kept), pk);
        return new Outcome(survivors, deleted, expired, superseded);
    }

    private static int[] sortByKey(int[] rows, FieldColumn pk) {
        return switch (pk) {
            case LongColumn c -> Arrays.stream(rows).boxed().sorted((a, b) -> Long.compare(c.get(a), c.get(b)))
                    .mapToInt(Integer::intValue).toArray();
            case StringColumn c -> Arrays.stream(rows).boxed().sorted((a, b) -> PkStats.compareUtf8(c.get(a), c.get(b)))
                    .mapToInt(Integer::intValue).toArray();
            default -> throw new IllegalArgumentException("primary key column must be INT64 or VARCHAR, not " + pk.type());
        };
    }
}
