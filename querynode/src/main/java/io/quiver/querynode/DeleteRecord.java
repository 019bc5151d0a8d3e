package io.quiver.querynode;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.concurrent.ThreadSafe;

/**
 * The deletes that apply to one segment: primary key to the sorted timestamps at which it was deleted.
 * MVCC (DESIGN section 11): a row inserted at {@code t} is hidden at read timestamp {@code T} if there is a
 * delete {@code d} of its key with {@code t < d <= T}; a delete never hides a row inserted at the same
 * timestamp (upsert = delete + insert at one timestamp).
 */
@ThreadSafe
public final class DeleteRecord {
    private final ConcurrentHashMap<Object, long[]> deletes = new ConcurrentHashMap<>();

    public void add(Object pk, long ts) {
        deletes.compute(pk, (k, cur) -> {
            if (cur == null) {
                return new long[] {ts};
            }
            int i = Arrays.binarySearch(cur, ts);
            if (i >= 0) {
                return cur;
            }
            int at = -i - 1;
            long[] n = new long[cur.length + 1];
            System.arraycopy(cur, 0, n, 0, at);
            n[at] = ts;
            System.arraycopy(cur, at, n, at + 1, cur.length - at);
            return n;
        });
    }

    public boolean isEmpty() {
        return deletes.isEmpty();
    }

    public int size() {
        return deletes.size();
    }

    public boolean hides(Object pk, long insertTs, long readTs) {
        long[] d = deletes.get(pk);
        if (d == null) {
            return false;
        }
        // smallest delete timestamp > insertTs
        int i = Arrays.binarySearch(d, insertTs);
        int next = i >= 0 ? i + 1 : -i - 1;
        while (next < d.length && d[next] == insertTs) {
            next++;
        }
        return next < d.length && d[next] <= readTs;
    }

    public long ramBytesUsed() {
        return 64L * deletes.size();
    }
}
