package io.quiver.tests.chaos;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checker's model of the data: for every primary key written, the latest acknowledged state (a version, or
 * deleted) and the states attempted after it whose outcome is unknown (the call failed or timed out: the server may
 * or may not have applied it). A row read back at the end must be in one of the allowed states; an acknowledged row
 * that is missing, a duplicate, a stale version, a deleted row still visible, or a key never written is a violation.
 *
 * <p>Each key is written by one checker thread only (threads own disjoint key ranges), so the per-key history is
 * sequential; the map itself is shared with the final check.
 */
final class WriteLedger {
    /** The state "deleted" in the allowed sets. */
    static final long DELETED = -1;

    private static final class Entry {
        long acked = Long.MIN_VALUE; // MIN_VALUE: never acknowledged
        final Set<Long> unknown = new HashSet<>();
    }

    private final Map<Long, Entry> rows = new ConcurrentHashMap<>();

    /** A write of {@code pk} to {@code version} (or {@link #DELETED}) was acknowledged. */
    void acked(long pk, long version) {
        Entry e = rows.computeIfAbsent(pk, k -> new Entry());
        synchronized (e) {
            e.acked = version;
            e.unknown.clear();
        }
    }

    /** A write of {@code pk} to {@code version} (or {@link #DELETED}) failed: it may or may not have been applied. */
    void unknown(long pk, long version) {
        Entry e = rows.computeIfAbsent(pk, k -> new Entry());
        synchronized (e) {
            e.unknown.add(version);
        }
    }

    /** The latest acknowledged version of {@code pk}, {@link #DELETED}, or empty if none was acknowledged. */
    Long ackedVersion(long pk) {
        Entry e = rows.get(pk);
        if (e == null) {
            return null;
        }
        synchronized (e) {
            return e.acked == Long.MIN_VALUE ? null : e.acked;
        }
    }

    int keys() {
        return rows.size();
    }

    /** What a check of the whole collection found. */
    record Verdict(long checked, long lost, long stale, long duplicates, long ghosts, long deletedVisible,
                   long unknownApplied, List<String> examples) {
        boolean ok() {
            return lost + stale + duplicates + ghosts + deletedVisible == 0;
        }
    }

    /**
     * Checks a full read of the collection ({@code seen}: primary key to every version returned for it, a key
     * returned twice has two entries) against the ledger.
     */
    Verdict check(Map<Long, List<Long>> seen) {
        long checked = 0, lost = 0, stale = 0, dup = 0, ghosts = 0, deletedVisible = 0, unknownApplied = 0;
        List<String> examples = new ArrayList<>();
        for (var s : seen.entrySet()) {
            if (!rows.containsKey(s.getKey())) {
                ghosts++;
                example(examples, "ghost pk " + s.getKey() + " versions " + s.getValue());
            }
            if (s.getValue().size() > 1) {
                dup++;
                example(examples, "pk " + s.getKey() + " returned " + s.getValue().size() + " times: " + s.getValue());
            }
        }
        for (var r : rows.entrySet()) {
            long pk = r.getKey();
            Entry e = r.getValue();
            List<Long> got = seen.get(pk);
            Long version = got == null || got.isEmpty() ? DELETED : got.get(0);
            checked++;
            synchronized (e) {
                if (version == e.acked || (e.acked == Long.MIN_VALUE && version == DELETED)) {
                    continue;
                }
                if (e.unknown.contains(version)) {
                    unknownApplied++;
                    continue;
                }
                if (version == DELETED) {
                    lost++;
                    example(examples, "lost pk " + pk + " (acknowledged version " + e.acked + ")");
                } else if (e.acked == DELETED) {
                    deletedVisible++;
                    example(examples, "deleted pk " + pk + " visible with version " + version);
                } else {
                    stale++;
                    example(examples, "pk " + pk + " has version " + version + ", acknowledged " + e.acked + ", unknown " + e.unknown);
                }
            }
        }
        return new Verdict(checked, lost, stale, dup, ghosts, deletedVisible, unknownApplied, examples);
    }

    private static void example(List<String> examples, String s) {
        if (examples.size() < 20) {
            examples.add(s);
        }
    }
}
