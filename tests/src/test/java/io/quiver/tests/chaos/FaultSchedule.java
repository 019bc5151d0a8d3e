package io.quiver.tests.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The seeded plan of a chaos run: rounds of one fault, or of two at once on unrelated targets. Every fault kind comes
 * once in each cycle, in a seeded order, so a run long enough for one cycle covers them all; the same seed and
 * cluster give the same plan. Pure: the runner executes it.
 */
final class FaultSchedule {
    /** What a fault does. */
    enum Action { KILL, PAUSE, BLACKHOLE, DELAY, RESET, ROLLING_RESTART }

    /** The target of a rolling restart: every role process, one by one. */
    static final String EVERY_ROLE = "every-role";

    /**
     * The order of a rolling restart: coordinators first, the proxies last, as Milvus' operator upgrades a cluster.
     */
    static final List<String> ROLLING_ORDER = List.of("rootcoord", "datacoord", "querycoord", "indexnode", "querynode", "datanode", "proxy");

    /** Role types, each a separate JVM in the cluster (names as cluster.sh prints them, without the index). */
    static final List<String> ROLES = List.of("proxy", "rootcoord", "datacoord", "querycoord", "datanode", "querynode", "indexnode");

    /** One fault: {@code target} a process ("querynode-2", "etcd") or a link ("etcd", "s3", "proxy-1"). */
    record Fault(Action action, String target, long holdMs) {
        /** The kind the report groups by: action and target type ("kill querynode", "delay etcd link"). */
        String kind() {
            if (action == Action.ROLLING_RESTART) {
                return "rolling restart";
            }
            String type = target.replaceAll("-\\d+$", "");
            boolean link = action != Action.KILL && action != Action.PAUSE;
            return action.name().toLowerCase() + " " + type + (link ? " link" : "");
        }

        /** The target's type, for deciding which faults may run together. */
        String group() {
            if (action == Action.ROLLING_RESTART) {
                return EVERY_ROLE;
            }
            String type = target.replaceAll("-\\d+$", "");
            return type.equals("proxy") ? "proxy" : type;
        }
    }

    /** A session lease is 10 s (common.sessionTtl): a pause must outlast it. */
    static final long PAUSE_MS = 15_000;

    private FaultSchedule() {}

    /** Every kind of fault once, on a seeded instance of its role. {@code processes}: every role process name. */
    static List<Fault> cycle(Random rnd, List<String> processes) {
        List<Fault> all = new ArrayList<>();
        for (String role : ROLES) {
            List<String> mine = processes.stream().filter(p -> p.startsWith(role + "-")).toList();
            if (mine.isEmpty()) {
                continue;
            }
            all.add(new Fault(Action.KILL, mine.get(rnd.nextInt(mine.size())), 3_000 + rnd.nextInt(5_000)));
            all.add(new Fault(Action.PAUSE, mine.get(rnd.nextInt(mine.size())), PAUSE_MS));
        }
        for (String dep : ChaosCluster.DEPS) {
            all.add(new Fault(Action.KILL, dep, 3_000 + rnd.nextInt(3_000)));
        }
        List<String> proxies = processes.stream().filter(p -> p.startsWith("proxy-")).toList();
        for (Action a : List.of(Action.BLACKHOLE, Action.DELAY, Action.RESET)) {
            all.add(new Fault(a, "etcd", 8_000 + rnd.nextInt(7_000)));
            all.add(new Fault(a, "s3", 8_000 + rnd.nextInt(7_000)));
            all.add(new Fault(a, proxies.get(rnd.nextInt(proxies.size())), 8_000 + rnd.nextInt(7_000)));
        }
        all.add(new Fault(Action.ROLLING_RESTART, EVERY_ROLE, 0));
        Collections.shuffle(all, rnd);
        return all;
    }

    /**
     * The rounds of {@code cycles} cycles: each fault of a cycle starts a round; with probability {@code pairShare} the
     * next fault of the cycle joins it when the two touch unrelated groups (at most one querynode and one proxy down).
     */
    static List<List<Fault>> plan(long seed, List<String> processes, int cycles, double pairShare) {
        return plan(seed, processes, cycles, pairShare, Set.of());
    }

    /** {@link #plan} with only the fault kinds named in {@code kinds} ("pause querynode", "kill querycoord"); empty: all. */
    static List<List<Fault>> plan(long seed, List<String> processes, int cycles, double pairShare, Set<String> kinds) {
        Random rnd = new Random(seed);
        List<List<Fault>> rounds = new ArrayList<>();
        for (int c = 0; c < cycles; c++) {
            List<Fault> cycle = cycle(rnd, processes).stream().filter(f -> kinds.isEmpty() || kinds.contains(f.kind())).toList();
            for (int i = 0; i < cycle.size(); i++) {
                Fault f = cycle.get(i);
                if (i + 1 < cycle.size() && rnd.nextDouble() < pairShare && compatible(f, cycle.get(i + 1))) {
                    rounds.add(List.of(f, cycle.get(i + 1)));
                    i++;
                } else {
                    rounds.add(List.of(f));
                }
            }
        }
        return rounds;
    }

    /** Two faults may run together if they touch different groups (never two querynodes or two proxies, nor a rolling restart). */
    static boolean compatible(Fault a, Fault b) {
        if (a.action() == Action.ROLLING_RESTART || b.action() == Action.ROLLING_RESTART) {
            return false; // a rolling restart touches every role
        }
        return !a.group().equals(b.group());
    }
}
