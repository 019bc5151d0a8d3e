package io.quiver.querynode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The deletes a shard leader keeps for sealed segments that join its distribution later (a new flush, a compaction
 * result, a segment moved by balance): primary keys with their timestamps, in arrival order.
 *
 * <p>Bounded by compaction: deletes at or below the channel's delete floor are in the deltalogs of every sealed
 * segment they hide (L0 compaction), so {@link #forgetUpTo} drops them; what stays is the L0 backlog plus what came
 * after the last L0 compaction. Not thread-safe: the leader guards it with its delete lock.
 */
final class DeleteBuffer {
    private Object[] pks = new Object[64];
    private long[] ts = new long[64];
    private int size;
    private long floor;

    /** Keeps a delete unless it is at or below the floor (already in the segments' own deltalogs). */
    void add(Object pk, long timestamp) {
        if (timestamp <= floor) {
            return;
        }
        if (size == ts.length) {
            pks = Arrays.copyOf(pks, size * 2);
            ts = Arrays.copyOf(ts, size * 2);
        }
        pks[size] = pk;
        ts[size] = timestamp;
        size++;
    }

    /** Forgets every delete with a timestamp at or below {@code newFloor}; returns how many went. */
    int forgetUpTo(long newFloor) {
        if (newFloor <= floor) {
            return 0;
        }
        floor = newFloor;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (ts[i] > newFloor) {
                pks[kept] = pks[i];
                ts[kept] = ts[i];
                kept++;
            }
        }
        int removed = size - kept;
        Arrays.fill(pks, kept, size, null);
        size = kept;
        if (ts.length > 64 && size < ts.length / 4) {
            int cap = Math.max(64, size * 2);
            pks = Arrays.copyOf(pks, cap);
            ts = Arrays.copyOf(ts, cap);
        }
        return removed;
    }

    int size() { return size; }

    boolean isEmpty() { return size == 0; }

    long floor() { return floor; }

    List<Object> keys() {
        return new ArrayList<>(Arrays.asList(pks).subList(0, size));
    }

    List<Long> timestamps() {
        List<Long> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(ts[i]);
        }
        return out;
    }

    long ramBytesUsed() {
        return 16L * ts.length + 48L * size;
    }
}
