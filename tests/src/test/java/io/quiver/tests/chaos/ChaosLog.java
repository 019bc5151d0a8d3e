package io.quiver.tests.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Everything a chaos run did, for the report: every checker operation (kind, start, end, success, whether its client's
 * own proxy was down) and every fault (kind, target, injected, healed). Operations are attributed to the faults whose
 * window (injection to heal plus the settle time) contains their start; a fault kind's figures are over all of its
 * windows. Thread-safe: checker threads append while the schedule appends faults.
 */
final class ChaosLog {
    enum Op { INSERT, UPSERT, DELETE, SEARCH_STRONG, SEARCH_BOUNDED, QUERY, COUNT, DDL;

        boolean isWrite() {
            return this == INSERT || this == UPSERT || this == DELETE;
        }

        boolean isSearch() {
            return this == SEARCH_STRONG || this == SEARCH_BOUNDED;
        }
    }

    record OpRecord(Op op, long startMs, long endMs, boolean ok, boolean ownProxyDown, String error) {}

    /** A fault: {@code stopsWrites} marks kinds that stop writes by design (measured by recovery, not by rate). */
    record FaultRecord(String kind, String target, long injectedMs, long healedMs, boolean stopsWrites) {}

    /** Per fault kind: the figures of the report table. */
    record KindStats(String kind, int faults, long ops, long failures, long writeOps, long writeFailures, long searchOps,
                     long searchFailures, long reconnectOps, long longestUnavailableMs, long recoveryMs, boolean stopsWrites) {
        double writeRate() {
            return writeOps == 0 ? 1.0 : 1.0 - (double) writeFailures / writeOps;
        }

        double searchRate() {
            return searchOps == 0 ? 1.0 : 1.0 - (double) searchFailures / searchOps;
        }
    }

    private final ConcurrentLinkedQueue<OpRecord> ops = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<FaultRecord> faults = new ConcurrentLinkedQueue<>();
    private final long settleMs;

    /** {@code settleMs}: how long after a heal operations still count to the fault. */
    ChaosLog(long settleMs) {
        this.settleMs = settleMs;
    }

    void op(OpRecord r) {
        ops.add(r);
    }

    void fault(FaultRecord f) {
        faults.add(f);
    }

    List<OpRecord> ops() {
        return List.copyOf(ops);
    }

    List<FaultRecord> faults() {
        return List.copyOf(faults);
    }

    /** Operations that started in [fromMs, toMs). */
    List<OpRecord> opsBetween(long fromMs, long toMs) {
        List<OpRecord> out = new ArrayList<>();
        for (OpRecord r : ops) {
            if (r.startMs() >= fromMs && r.startMs() < toMs) {
                out.add(r);
            }
        }
        return out;
    }

    /** The figures per fault kind, sorted by kind. */
    List<KindStats> byKind() {
        Map<String, List<FaultRecord>> kinds = new TreeMap<>();
        for (FaultRecord f : faults) {
            kinds.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f);
        }
        List<KindStats> out = new ArrayList<>();
        for (var e : kinds.entrySet()) {
            long n = 0, fail = 0, w = 0, wf = 0, s = 0, sf = 0, rc = 0, longest = 0, recovery = 0;
            boolean stops = false;
            for (FaultRecord f : e.getValue()) {
                stops |= f.stopsWrites();
                // writes failing while a fault that stops writes by design ran beside this one are that fault's
                boolean writesStoppedBeside = !f.stopsWrites() && faults.stream().anyMatch(g -> g != f && g.stopsWrites()
                        && g.injectedMs() < f.healedMs() && f.injectedMs() < g.healedMs());
                List<OpRecord> window = opsBetween(f.injectedMs(), f.healedMs() + settleMs);
                for (OpRecord r : window) {
                    if (r.ownProxyDown()) {
                        rc++;
                        continue; // counted apart: the client reconnects to the other proxy
                    }
                    n++;
                    fail += r.ok() ? 0 : 1;
                    if (r.op().isWrite()) {
                        if (!writesStoppedBeside) {
                            w++;
                            wf += r.ok() ? 0 : 1;
                        }
                    } else if (r.op().isSearch()) {
                        s++;
                        sf += r.ok() ? 0 : 1;
                    }
                }
                longest = Math.max(longest, longestUnavailable(window));
                recovery = Math.max(recovery, recovery(window, f.healedMs()));
            }
            out.add(new KindStats(e.getKey(), e.getValue().size(), n, fail, w, wf, s, sf, rc, longest, recovery, stops));
        }
        return out;
    }

    /**
     * The longest time any one operation kind was unavailable: from the start of a failed operation to the end of
     * the next successful one of that kind (or of the last failure, if none followed).
     */
    static long longestUnavailable(List<OpRecord> window) {
        long longest = 0;
        for (Op op : Op.values()) {
            List<OpRecord> mine = window.stream().filter(r -> r.op() == op && !r.ownProxyDown())
                    .sorted((a, b) -> Long.compare(a.startMs(), b.startMs())).toList();
            long downSince = -1;
            long lastEnd = 0;
            for (OpRecord r : mine) {
                if (!r.ok() && downSince < 0) {
                    downSince = r.startMs();
                } else if (r.ok() && downSince >= 0) {
                    longest = Math.max(longest, r.endMs() - downSince);
                    downSince = -1;
                }
                lastEnd = Math.max(lastEnd, r.endMs());
            }
            if (downSince >= 0) {
                longest = Math.max(longest, lastEnd - downSince);
            }
        }
        return longest;
    }

    /** Time from the heal to the end of the last failed operation after it (0: nothing failed after the heal). */
    static long recovery(List<OpRecord> window, long healedMs) {
        long last = healedMs;
        for (OpRecord r : window) {
            if (!r.ok() && !r.ownProxyDown() && r.endMs() > last) {
                last = r.endMs();
            }
        }
        return last - healedMs;
    }

    /** The report as a Markdown table. */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| fault kind | faults | ops | failures | write ok | search ok | longest unavailability | recovery after heal | reconnect ops |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (KindStats k : byKind()) {
            sb.append(String.format(Locale.ROOT, "| %s%s | %d | %d | %d | %.4f (%d/%d) | %.4f (%d/%d) | %.1f s | %.1f s | %d |%n",
                    k.kind(), k.stopsWrites() ? " (stops writes by design)" : "", k.faults(), k.ops(), k.failures(),
                    k.writeRate(), k.writeOps() - k.writeFailures(), k.writeOps(),
                    k.searchRate(), k.searchOps() - k.searchFailures(), k.searchOps(),
                    k.longestUnavailableMs() / 1000.0, k.recoveryMs() / 1000.0, k.reconnectOps()));
        }
        return sb.toString();
    }
}
