package io.quiver.querynode;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import javax.annotation.concurrent.ThreadSafe;

/**
 * The deletes that apply to one segment: primary key to the sorted timestamps at which it was deleted.
 * MVCC (DESIGN section 11): a row inserted at {@code t} is hidden at read timestamp {@code T} if there is a
 * delete {@code d} of its key with {@code t < d <= T}; a delete never hides a row inserted at the same
 * timestamp (upsert = delete + insert at one timestamp).
 *
 * <p>Searches do not look keys up row by row: {@link #hiddenAt} turns the record into one timestamp per row (when
 * the row is first hidden), computed once per version of the record and extended as a growing segment gains rows.
 * A row is then visible at {@code T} iff {@code hiddenAt[row] > T}, a scan of two long arrays instead of a boxed key
 * and a hash lookup per row and per search. Adds and snapshot computations hold the monitor, so a snapshot's version
 * names exactly the deletes it applied; {@link #hides} reads the map without it.
 */
@ThreadSafe
public final class DeleteRecord {
    private final ConcurrentHashMap<Object, long[]> deletes = new ConcurrentHashMap<>();
    private volatile long version;
    private volatile long maxTs;

    /**
     * When each row of a segment is first hidden ({@link Long#MAX_VALUE}: never, under the deletes of
     * {@code version}); {@code visibleAtLatest} holds the rows no delete hides (bit i of word i / 64, read-only once
     * built: searches share it), valid for reads at or after {@code maxDeleteTs}.
     */
    public record Hidden(long version, int rows, long[] at, long maxDeleteTs, long[] visibleAtLatest, int visibleCount) {
        long ramBytesUsed() {
            return 8L * at.length + 8L * visibleAtLatest.length + 64;
        }
    }

    public synchronized void add(Object pk, long ts) {
        boolean[] added = {false};
        deletes.compute(pk, (k, cur) -> {
            if (cur == null) {
                added[0] = true;
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
            added[0] = true;
            return n;
        });
        if (added[0]) {
            if (ts > maxTs) {
                maxTs = ts;
            }
            version++; // single writer: under the monitor
        }
    }

    public boolean isEmpty() {
        return deletes.isEmpty();
    }

    public int size() {
        return deletes.size();
    }

    /** Changes with every delete that changes the record. */
    public long version() {
        return version;
    }

    public boolean hides(Object pk, long insertTs, long readTs) {
        return hiddenFrom(deletes.get(pk), insertTs) <= readTs;
    }

    /** The smallest delete timestamp after {@code insertTs} ({@link Long#MAX_VALUE}: none). */
    private static long hiddenFrom(long[] d, long insertTs) {
        if (d == null) {
            return Long.MAX_VALUE;
        }
        int i = Arrays.binarySearch(d, insertTs);
        int next = i >= 0 ? i + 1 : -i - 1;
        while (next < d.length && d[next] == insertTs) {
            next++;
        }
        return next < d.length ? d[next] : Long.MAX_VALUE;
    }

    /**
     * The rows' hidden-at timestamps for the first {@code rows} rows ({@code pkAt} and {@code rowTs} describe them):
     * {@code previous} is returned when still current, extended when only rows were added, recomputed otherwise.
     */
    public synchronized Hidden hiddenAt(IntFunction<Object> pkAt, long[] rowTs, int rows, Hidden previous) {
        long v = version;
        if (previous != null && previous.version() == v && previous.rows() >= rows) {
            return previous;
        }
        int from = previous != null && previous.version() == v ? previous.rows() : 0;
        long[] at = from == 0 ? new long[rows] : Arrays.copyOf(previous.at(), rows);
        long[] visible = Arrays.copyOf(from == 0 ? new long[0] : previous.visibleAtLatest(), AllowedRows.wordsFor(rows));
        int count = from == 0 ? 0 : previous.visibleCount();
        for (int i = from; i < rows; i++) {
            long h = hiddenFrom(deletes.get(pkAt.apply(i)), rowTs[i]);
            at[i] = h;
            if (h == Long.MAX_VALUE) {
                visible[i >>> 6] |= 1L << i;
                count++;
            }
        }
        return new Hidden(v, rows, at, maxTs, visible, count);
    }

    public long ramBytesUsed() {
        return 64L * deletes.size();
    }
}
