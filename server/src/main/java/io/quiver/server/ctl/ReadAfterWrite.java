package io.quiver.server.ctl;

import io.grpc.ManagedChannel;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.milvus.grpc.Status;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * {@code quiver loadtest --read-after-write}: how long a Strong read takes right after a write, and whether it sees the
 * write (issue 13). Creates the collection ({@code id}, {@code v}, {@code ver}; HNSW; 2 shards) with {@code --preload}
 * rows, loads it, then runs {@code --rounds} rounds, one client thread: each round writes one row (insert of a new id,
 * upsert of a live id, or delete of a live id, in turn) and, as soon as the write is acknowledged, reads it back Strong
 * (query by id for all three; a top-1 search by the row's vector after an insert or upsert). A read that misses the
 * acknowledged write is a violation. Prints latency percentiles per read kind and the violations.
 */
final class ReadAfterWrite {
    static final String USAGE = """
            usage: quiver loadtest --read-after-write [--address 127.0.0.1:19530] [--collection read_after_write] [--dim 128]
                                   [--preload 10000] [--rounds 300] [--seed 1]
              one thread: write one row (insert / upsert / delete in turn), then read it back Strong at once (query by id;
              top-1 search after an insert or upsert). Prints p50 / p90 / p99 / max per read kind and the reads that
              missed the acknowledged write (violations; exit status 1 when any).""";

    private final MilvusServiceBlockingStub stub;
    private final PrintStream out;
    private final String collection;
    private final int dim;
    private final int preload;
    private final int rounds;
    private final long seed;

    private ReadAfterWrite(MilvusServiceBlockingStub stub, PrintStream out, String collection, int dim, int preload, int rounds,
                           long seed) {
        this.stub = stub;
        this.out = out;
        this.collection = collection;
        this.dim = dim;
        this.preload = preload;
        this.rounds = rounds;
        this.seed = seed;
    }

    static int main(String[] args, PrintStream out) throws Exception {
        Flags flags = Flags.parse(args, Map.of("--address", "127.0.0.1:19530", "--collection", "read_after_write", "--dim", "128",
                "--preload", "10000", "--rounds", "300", "--seed", "1"), USAGE, out);
        if (flags.exit()) {
            return flags.exitCode();
        }
        int dim;
        int preload;
        int rounds;
        long seed;
        try {
            dim = (int) Math.min(flags.number("--dim", 1), 32768);
            preload = (int) Math.min(flags.number("--preload", 0), Integer.MAX_VALUE);
            rounds = (int) Math.min(flags.number("--rounds", 1), Integer.MAX_VALUE);
            seed = flags.number("--seed", Long.MIN_VALUE);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(USAGE);
            return 2;
        }
        ManagedChannel ch = MilvusRpc.channel(flags.values().get("--address"));
        try {
            return new ReadAfterWrite(MilvusServiceGrpc.newBlockingStub(ch), out, flags.values().get("--collection"), dim, preload, rounds,
                    seed).run();
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private int run() throws InterruptedException {
        ChurnClient client = new ChurnClient(stub, collection, "L2", 64);
        LiveRows model = new LiveRows(seed, dim, 1);
        model.inserted(model.newIds(preload));
        client.recreate(dim, 2);
        long[] ids = model.liveIds();
        for (int from = 0; from < ids.length; from += 1000) {
            MilvusRpc.check(client.insert(model, Arrays.copyOfRange(ids, from, Math.min(ids.length, from + 1000))), "insert");
        }
        if (!(MilvusRpc.flushAndWait(stub, collection, out) && MilvusRpc.loadAndWait(stub, collection, 1, out))) {
            return 1;
        }
        out.printf("read-after-write: %s, dim %d, %d rows, %d rounds, Strong reads right after each acknowledged write%n",
                collection, dim, preload, rounds);
        OpStats write = new OpStats(rounds);
        OpStats queryAfterWrite = new OpStats(rounds);
        OpStats searchAfterWrite = new OpStats(rounds);
        long violations = 0;
        for (int r = 0; r < rounds; r++) {
            long id;
            long t0 = System.nanoTime();
            Status s;
            int kind = r % 3;
            if (kind == 0) {
                id = model.newIds(1)[0];
                model.inserted(new long[] {id});
                s = client.insert(model, new long[] {id});
            } else {
                id = model.sampleLive(1)[0];
                if (kind == 1) {
                    model.upserted(new long[] {id});
                    s = client.upsert(model, new long[] {id});
                } else {
                    model.deleted(new long[] {id});
                    s = client.delete(new long[] {id});
                }
            }
            write.record(System.nanoTime() - t0, s.getCode() == 0, 1);
            MilvusRpc.check(s, "write");
            long t1 = System.nanoTime();
            Map<Long, List<Long>> seen = client.versions(new long[] {id});
            queryAfterWrite.record(System.nanoTime() - t1, true, 1);
            List<Long> expected = kind == 2 ? null : List.of(model.version(id));
            if (kind == 2 ? seen.containsKey(id) : !expected.equals(seen.get(id))) {
                violations++;
                out.printf("violation: round %d id %d expected %s, query returned %s%n", r, id, expected == null ? "absent" : expected, seen.get(id));
            }
            if (kind != 2) {
                long t2 = System.nanoTime();
                OptionalLong top = client.top1(model.vector(id), ConsistencyLevel.Strong);
                searchAfterWrite.record(System.nanoTime() - t2, true, 1);
                if (top.isEmpty() || top.getAsLong() != id) {
                    violations++;
                    out.printf("violation: round %d id %d: top-1 of a search by its new vector was %s%n", r, id, top);
                }
            }
        }
        out.println("| read right after an acknowledged write (Strong) | n | p50 ms | p90 ms | p99 ms | max ms |");
        out.println("|---|---|---|---|---|---|");
        line("write (insert / upsert / delete of 1 row)", write);
        line("query by id", queryAfterWrite);
        line("top-1 search by the written vector", searchAfterWrite);
        out.printf("violations: %d%n", violations);
        return violations == 0 ? 0 : 1;
    }

    private void line(String what, OpStats s) {
        out.printf("| %s | %d | %.2f | %.2f | %.2f | %.2f |%n", what, s.ok.get(), s.percentile(0.5) / 1e6, s.percentile(0.9) / 1e6,
                s.percentile(0.99) / 1e6, s.percentile(1.0) / 1e6);
    }
}
