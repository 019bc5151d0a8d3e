package io.quiver.tests.chaos;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.collection.request.ReleaseCollectionReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.quiver.tests.chaos.ChaosLog.Op;
import io.quiver.tests.chaos.FaultSchedule.Fault;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One chaos run: starts the {@link ChaosCluster}, creates the checked collection (two shards, HNSW, two replicas),
 * runs the {@link CheckerWorkload} the whole time, executes the {@link FaultSchedule} until the deadline (each round:
 * inject, hold, heal, wait until every process is healthy, settle), issues DDL during faults, then runs quietly and
 * reads everything back. The outcome is a {@link Result}; the caller asserts on it and prints its report.
 */
final class ChaosRun {
    static final long SETTLE_MS = 10_000;
    /** After the last fault every call must succeed once this much time has passed. */
    static final long QUIET_MS = 30_000;
    /** The time a run must have left to start a rolling restart (eleven processes, each stopped, started, healthy). */
    static final long ROLLING_BUDGET_MS = 8 * 60_000;
    /** The wait between two processes of a rolling restart. */
    static final long ROLLING_PAUSE_MS = 5_000;

    private final ChaosCluster cluster;
    private final long seed;
    private final long durationMs;
    private final ChaosLog log = new ChaosLog(SETTLE_MS);
    private final WriteLedger ledger = new WriteLedger();
    private final Set<String> kinds;
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private final Set<String> ddlCreated = new HashSet<>();
    private final Set<String> ddlDropped = new HashSet<>();
    private final Set<String> ddlUnknown = new HashSet<>();
    private final List<String> restartFailures = new ArrayList<>();
    private FailoverClient ddl;
    private int ddlCount;

    /** What a run found. */
    record Result(ChaosLog log, WriteLedger.Verdict verdict, long visibleCount, long countStar, long readYourWritesViolations,
                  List<Long> reconnectMs, long quietOps, long quietFailures, List<String> ddlLost, int rounds, List<String> restartFailures) {}

    ChaosRun(ChaosCluster cluster, long seed, long durationMs, Set<String> kinds) {
        this.cluster = cluster;
        this.seed = seed;
        this.durationMs = durationMs;
        this.kinds = Set.copyOf(kinds);
    }

    Result run() throws Exception {
        cluster.start();
        List<String> processes = cluster.roles();
        List<String> proxies = processes.stream().filter(p -> p.startsWith("proxy-")).toList();
        MilvusClientV2 admin = new MilvusClientV2(ConnectConfig.builder()
                .uri(cluster.clientUri(proxies.get(0))).rpcDeadlineMs(120_000).build());
        createCollection(admin);
        ddl = new FailoverClient(proxies, cluster::clientUri, down::contains);
        CheckerWorkload workload = new CheckerWorkload(log, ledger, seed);
        workload.start(proxies, cluster::clientUri, down::contains);
        Thread.sleep(10_000);
        long deadline = System.currentTimeMillis() + durationMs; // the faults' time, after start-up and loading
        int rounds = 0;
        long lastHeal = System.currentTimeMillis();
        for (List<Fault> round : FaultSchedule.plan(seed, processes, 100, 0.3, kinds)) {
            if (System.currentTimeMillis() + 60_000 > deadline && rounds > 0) {
                break;
            }
            if (round.get(0).action() == FaultSchedule.Action.ROLLING_RESTART
                    && System.currentTimeMillis() + ROLLING_BUDGET_MS > deadline) {
                continue; // a rolling restart takes minutes: only in runs with the time for it
            }
            try {
                executeRound(round);
            } catch (IllegalStateException e) {
                // a process that would not come back: reported, and the data is still checked
                restartFailures.add("run ended early in round " + round + ": " + e.getMessage());
                lastHeal = System.currentTimeMillis();
                break;
            }
            lastHeal = System.currentTimeMillis();
            rounds++;
        }
        long quietFrom = lastHeal + QUIET_MS;
        Thread.sleep(Math.max(0, quietFrom + 20_000 - System.currentTimeMillis()));
        workload.close();
        List<ChaosLog.OpRecord> quiet = log.opsBetween(quietFrom, Long.MAX_VALUE);
        long quietFailures = quiet.stream().filter(r -> !r.ok()).count();
        quiet.stream().filter(r -> !r.ok()).limit(5).forEach(r -> System.err.println("chaos: failed after quiet: " + r));
        Map<Long, List<Long>> seen = readAll(admin, workload);
        long countStar = countStar(admin);
        List<String> ddlLost = checkDdl(admin);
        admin.close();
        ddl.close();
        return new Result(log, ledger.check(seen), seen.values().stream().mapToLong(List::size).sum(), countStar,
                workload.readYourWritesViolations(), workload.reconnects(), quiet.size(), quietFailures, ddlLost, rounds,
                List.copyOf(restartFailures));
    }

    private static void createCollection(MilvusClientV2 c) {
        CreateCollectionReq.CollectionSchema schema = c.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        schema.addField(AddFieldReq.builder().fieldName("ver").dataType(DataType.Int64).build());
        schema.addField(AddFieldReq.builder().fieldName("vec").dataType(DataType.FloatVector).dimension(CheckerWorkload.DIM).build());
        IndexParam index = IndexParam.builder().fieldName("vec").indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.L2)
                .extraParams(Map.of("M", 8, "efConstruction", 64)).build();
        c.createCollection(CreateCollectionReq.builder().collectionName(CheckerWorkload.COLLECTION).collectionSchema(schema)
                .indexParams(List.of(index)).numShards(2).build());
        c.releaseCollection(ReleaseCollectionReq.builder()
                .collectionName(CheckerWorkload.COLLECTION).build());
        c.loadCollection(LoadCollectionReq.builder().collectionName(CheckerWorkload.COLLECTION).numReplicas(2).build());
    }

    private void executeRound(List<Fault> round) throws Exception {
        long t0 = System.currentTimeMillis();
        System.err.println("chaos: round " + round);
        for (Fault f : round) {
            inject(f);
        }
        doDdl();
        long hold = round.stream().mapToLong(Fault::holdMs).max().orElse(0);
        Thread.sleep(Math.max(0, t0 + hold - System.currentTimeMillis()));
        // links and dependencies first: a role restarted while its etcd or S3 is still cut off exits at start-up
        for (Fault f : round.stream().sorted((a, b) -> Boolean.compare(isRoleKill(a), isRoleKill(b))).toList()) {
            heal(f);
        }
        awaitAllHealthy();
        long healed = System.currentTimeMillis();
        for (Fault f : round) {
            log.fault(new ChaosLog.FaultRecord(f.kind(), f.target(), t0, healed, stopsWrites(f)));
        }
        down.clear();
        Thread.sleep(SETTLE_MS);
    }

    /**
     * Faults that stop writes by design: the one rootcoord (the timestamp oracle), the one datacoord (the segment
     * allocator: every insert names the segment its rows go to), etcd (every allocation and the sessions), and Pulsar
     * (the WAL every write goes through) and cutting a role off from them; a rolling restart restarts them too.
     */
    static boolean stopsWrites(Fault f) {
        String g = f.group();
        return g.equals("rootcoord") || g.equals("datacoord") || g.equals("etcd") || g.equals("pulsar")
                || f.action() == FaultSchedule.Action.ROLLING_RESTART;
    }

    private void inject(Fault f) throws Exception {
        boolean dep = ChaosCluster.DEPS.contains(f.target());
        if (f.target().startsWith("proxy-")) {
            down.add(f.target());
        }
        switch (f.action()) {
            case KILL -> {
                if (dep) cluster.killDep(f.target()); else cluster.kill(f.target());
            }
            case PAUSE -> cluster.pause(f.target(), true);
            case BLACKHOLE -> cluster.linkTo(f.target()).mode(FaultProxy.Mode.BLACKHOLE);
            case DELAY -> cluster.linkTo(f.target()).mode(FaultProxy.Mode.DELAY);
            case RESET -> cluster.linkTo(f.target()).mode(FaultProxy.Mode.RESET);
            case ROLLING_RESTART -> rollingRestart();
        }
    }

    /** Waits until every process answers its health check, at most 3 minutes (a slow one is reported by the run). */
    private void awaitAllHealthy() throws Exception {
        long until = System.currentTimeMillis() + 180_000;
        while (!cluster.allHealthy() && System.currentTimeMillis() < until) {
            Thread.sleep(500);
        }
    }

    /**
     * Every role process stopped gracefully (SIGTERM) and started again, one at a time in
     * {@link FaultSchedule#ROLLING_ORDER}, each healthy before the next, as an operator upgrades a cluster.
     */
    private void rollingRestart() throws Exception {
        List<String> processes = cluster.roles();
        for (String role : FaultSchedule.ROLLING_ORDER) {
            for (String p : processes.stream().filter(x -> x.startsWith(role + "-")).toList()) {
                System.err.println("chaos: rolling restart of " + p);
                if (p.startsWith("proxy-")) {
                    down.add(p);
                }
                cluster.stop(p);
                restartWithRetries(p, false);
                awaitAllHealthy();
                down.remove(p);
                Thread.sleep(ROLLING_PAUSE_MS);
            }
        }
    }

    private static boolean isRoleKill(Fault f) {
        return f.action() == FaultSchedule.Action.KILL && !ChaosCluster.DEPS.contains(f.target());
    }

    private void heal(Fault f) throws Exception {
        boolean dep = ChaosCluster.DEPS.contains(f.target());
        switch (f.action()) {
            case KILL -> restartWithRetries(f.target(), dep);
            case PAUSE -> cluster.pause(f.target(), false);
            case ROLLING_RESTART -> { } // every process is back when the restart returns
            default -> cluster.linkTo(f.target()).mode(FaultProxy.Mode.PASS);
        }
    }

    /**
     * Starts a killed process again; a failed start is a finding (kept in {@link #restartFailures}) and is retried,
     * so one bad start does not end the run.
     */
    private void restartWithRetries(String target, boolean dep) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                if (dep) cluster.restartDep(target); else cluster.restart(target);
                return;
            } catch (IllegalStateException e) {
                restartFailures.add(target + ": " + e.getMessage());
                System.err.println("chaos: restart of " + target + " failed (attempt " + attempt + "): " + e.getMessage());
                if (attempt == 5) {
                    throw e;
                }
                Thread.sleep(5_000);
            }
        }
    }

    /** One DDL during the faults: create a small collection, or drop one created before; acknowledged ones are kept. */
    private void doDdl() {
        ddlCount++;
        if (ddlCount % 3 == 0 && !ddlCreated.isEmpty()) {
            String name = ddlCreated.iterator().next();
            boolean ok = callDdl(c -> c.dropCollection(DropCollectionReq.builder().collectionName(name).build()));
            if (ok) {
                ddlCreated.remove(name);
                ddlDropped.add(name);
            } else {
                ddlUnknown.add(name);
            }
            return;
        }
        String name = "chaos_ddl_" + ddlCount;
        boolean ok = callDdl(c -> c.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(4).build()));
        (ok ? ddlCreated : ddlUnknown).add(name);
    }

    private boolean callDdl(CheckerWorkload.Call call) {
        return CheckerWorkload.call(log, ddl, Op.DDL, call);
    }

    /** Acknowledged creates that are missing and acknowledged drops still listed (unknown outcomes may be either). */
    private List<String> checkDdl(MilvusClientV2 c) {
        Set<String> listed = new HashSet<>(c.listCollections().getCollectionNames());
        List<String> lost = new ArrayList<>();
        for (String n : ddlCreated) {
            if (!listed.contains(n) && !ddlUnknown.contains(n)) lost.add("created " + n + " missing");
        }
        for (String n : ddlDropped) {
            if (listed.contains(n)) lost.add("dropped " + n + " still listed");
        }
        return lost;
    }

    /** Every row of every writer's key range, Strong, in windows that fit the query limit. */
    private static Map<Long, List<Long>> readAll(MilvusClientV2 c, CheckerWorkload w) throws InterruptedException {
        Map<Long, List<Long>> seen = new HashMap<>();
        for (int owner = 0; owner < w.writers(); owner++) {
            long n = w.keysOf(owner);
            long base = (owner + 1) * CheckerWorkload.KEY_SPACE;
            for (long lo = base; lo < base + n; lo += 5_000) {
                String filter = "id >= " + lo + " and id < " + (lo + 5_000);
                for (var q : retry(() -> c.query(QueryReq.builder()
                        .collectionName(CheckerWorkload.COLLECTION).filter(filter).outputFields(List.of("id", "ver"))
                        .consistencyLevel(ConsistencyLevel.STRONG).limit(16_000).build()).getQueryResults())) {
                    long id = ((Number) q.getEntity().get("id")).longValue();
                    seen.computeIfAbsent(id, k -> new ArrayList<>()).add(((Number) q.getEntity().get("ver")).longValue());
                }
            }
        }
        return seen;
    }

    private static long countStar(MilvusClientV2 c) throws InterruptedException {
        var r = retry(() -> c.query(QueryReq.builder().collectionName(CheckerWorkload.COLLECTION)
                .filter("").outputFields(List.of("count(*)")).consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults());
        return ((Number) r.get(0).getEntity().get("count(*)")).longValue();
    }

    private static <T> T retry(Supplier<T> s) throws InterruptedException {
        RuntimeException last = null;
        for (int i = 0; i < 10; i++) {
            try {
                return s.get();
            } catch (RuntimeException e) {
                last = e;
                Thread.sleep(2_000);
            }
        }
        throw last;
    }
}
