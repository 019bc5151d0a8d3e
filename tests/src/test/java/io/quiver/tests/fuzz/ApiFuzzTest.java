package io.quiver.tests.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.CreateDatabaseRequest;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FlushRequest;
import io.milvus.grpc.GetLoadStateRequest;
import io.milvus.grpc.LoadState;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.Status;
import io.quiver.tests.StandaloneProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's API fuzzer against a standalone server: every MilvusService RPC with empty, random, mutated and
 * garbage requests (see {@link CaseGenerator}), judged by {@link ApiFuzzer}. Before the run {@link Sandbox#KEEP}
 * gets {@value #KEPT_ROWS} flushed, indexed, loaded rows; after it the server must still be healthy, those rows
 * must all be there unchanged, and the server's heap must have stayed below {@value #HEAP_LIMIT_PERCENT}% of its
 * maximum throughout.
 *
 * <p>The suite runs {@code quiver.fuzz.requests} calls (default 2,000) of seed {@code quiver.fuzz.seed}; the long
 * run is {@code ./mvnw -B -pl tests -am verify -Pfuzz} (docs/benchmarks.md). A finding prints its seed and index:
 * {@code -Dquiver.fuzz.seed=S -Dquiver.fuzz.from=I -Dquiver.fuzz.requests=1} replays that one call.
 */
class ApiFuzzTest {
    static final int KEPT_ROWS = 500;
    static final int HEAP_LIMIT_PERCENT = 90;
    /** Smaller than the default so the oversized calls stay cheap for the test JVM; the check is the same. */
    static final int MAX_MESSAGE_BYTES = 32 << 20;
    private static final int CHUNK = 500;
    /** Generous: a hang is what it catches, and the suite shares the machine with other builds. */
    private static final long DEADLINE_MS = 60_000;

    @TempDir
    Path tmp;

    @Test
    void everyRpcAnswersWithAStatusAndKeepsDataIntact() throws Exception {
        // the generated classes must be the server's protocol version, else methods newer than it are "unknown"
        assumeTrue(System.getProperty("quiver.sdk.version", "").equals(System.getProperty("quiver.server.sdk.version", "")),
                "fuzzing with the proto of the server's SDK version only");
        long seed = Long.getLong("quiver.fuzz.seed", 14);
        long from = Long.getLong("quiver.fuzz.from", 0);
        long requests = Long.getLong("quiver.fuzz.requests", 2_000);
        int threads = Integer.getInteger("quiver.fuzz.threads", 4);
        Path yaml = tmp.resolve("quiver.yaml");
        Files.writeString(yaml, "common:\n  maxMessageSize: " + MAX_MESSAGE_BYTES + "\n");
        try (StandaloneProcess server = new StandaloneProcess(tmp.resolve("data")).withConfig(yaml)) {
            server.start();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .maxInboundMessageSize(256 << 20).build();
            try (HeapMonitor heap = new HeapMonitor(server.metricsPort())) {
                MilvusServiceBlockingStub stub = MilvusServiceGrpc.newBlockingStub(channel);
                prepareKept(stub);
                FuzzReport report = new FuzzReport(seed);
                ApiFuzzer fuzzer = new ApiFuzzer(new CaseGenerator(seed, MAX_MESSAGE_BYTES + 1024), DEADLINE_MS);
                long t0 = System.nanoTime();
                for (long start = from; start < from + requests; start += CHUNK) {
                    prepareSandbox(stub);
                    fuzzer.run(channel, start, Math.min(from + requests, start + CHUNK), threads, report);
                    assertThat(server.healthy()).as("healthz after call %d; %s%nlog:%n%s", start + CHUNK, report.summary(), server.tail()).isTrue();
                }
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
                System.out.println("fuzz: " + report.summary() + "; " + seconds + " s; " + heap);
                assertThat(report.findings()).as("%s%nlog:%n%s", report.summary(), server.tail()).isEmpty();
                if (requests >= 2_000) {
                    String[] served = CaseGenerator.servedMethods().stream().map(MethodDescriptor::getBareMethodName).toArray(String[]::new);
                    assertThat(report.methods()).as("every served RPC was called").containsKeys(served);
                }
                assertKeptIntact(stub);
                assertThat(heap.samples()).as("heap samples").isPositive();
                assertThat(heap.maxUsed()).as("%s", heap).isLessThan(heap.heapMax() / 100 * HEAP_LIMIT_PERCENT);
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    private static MilvusServiceBlockingStub deadline(MilvusServiceBlockingStub stub) {
        return stub.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS);
    }

    private static void ok(Status s) {
        assertThat(s.getCode()).as("%s", s.getReason()).isZero();
    }

    private static void prepareKept(MilvusServiceBlockingStub stub) throws InterruptedException {
        ok(deadline(stub).createCollection(Sandbox.create(Sandbox.KEEP, false).build()));
        for (int first = 0; first < KEPT_ROWS; first += 100) {
            ok(deadline(stub).insert(Sandbox.insert(Sandbox.KEEP, first, 100).build()).getStatus());
        }
        ok(deadline(stub).flush(FlushRequest.newBuilder().addCollectionNames(Sandbox.KEEP).build()).getStatus());
        ok(deadline(stub).createIndex(Sandbox.index(Sandbox.KEEP).build()));
        ok(deadline(stub).loadCollection(Sandbox.load(Sandbox.KEEP).build()));
        awaitLoaded(stub, Sandbox.KEEP);
        ok(deadline(stub).createDatabase(CreateDatabaseRequest.newBuilder().setDbName(Sandbox.DATABASE).build()));
    }

    /** Puts the sandbox collections back (the fuzzer may have dropped or released them); failures are expected. */
    private static void prepareSandbox(MilvusServiceBlockingStub stub) {
        for (String name : List.of(Sandbox.SANDBOX, Sandbox.NO_DYNAMIC)) {
            deadline(stub).createCollection(Sandbox.create(name, name.equals(Sandbox.SANDBOX)).build());
            deadline(stub).createIndex(Sandbox.index(name).build());
            deadline(stub).loadCollection(Sandbox.load(name).build());
        }
    }

    private static void awaitLoaded(MilvusServiceBlockingStub stub, String collection) throws InterruptedException {
        long until = System.currentTimeMillis() + 60_000;
        while (deadline(stub).getLoadState(GetLoadStateRequest.newBuilder().setCollectionName(collection).build()).getState()
                != LoadState.LoadStateLoaded) {
            assertThat(System.currentTimeMillis()).as("%s loaded within 60 s", collection).isLessThan(until);
            Thread.sleep(100);
        }
    }

    private static QueryResults strongQuery(MilvusServiceBlockingStub stub, QueryRequest.Builder q) {
        QueryResults r = deadline(stub).query(q.setConsistencyLevel(ConsistencyLevel.Strong).setUseDefaultConsistency(false).build());
        ok(r.getStatus());
        return r;
    }

    private static void assertKeptIntact(MilvusServiceBlockingStub stub) {
        QueryResults count = strongQuery(stub, QueryRequest.newBuilder().setCollectionName(Sandbox.KEEP).setExpr("").addOutputFields("count(*)"));
        assertThat(count.getFieldsData(0).getScalars().getLongData().getData(0)).as("rows of %s", Sandbox.KEEP).isEqualTo(KEPT_ROWS);
        String ids = LongStream.range(0, KEPT_ROWS).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
        QueryResults rows = strongQuery(stub, Sandbox.query(Sandbox.KEEP, "id in " + ids).setQueryParams(0, Sandbox.kv("limit", "1000")));
        Map<String, FieldData> byName = new HashMap<>();
        rows.getFieldsDataList().forEach(f -> byName.put(f.getFieldName(), f));
        List<Long> got = byName.get("id").getScalars().getLongData().getDataList();
        assertThat(got).hasSize(KEPT_ROWS).doesNotHaveDuplicates();
        for (int i = 0; i < got.size(); i++) {
            long id = got.get(i);
            assertThat(byName.get("name").getScalars().getStringData().getData(i)).isEqualTo(Sandbox.nameOf(id));
            float[] want = Sandbox.vector(id);
            for (int d = 0; d < Sandbox.DIM; d++) {
                assertThat(byName.get("vector").getVectors().getFloatVector().getData(i * Sandbox.DIM + d)).isEqualTo(want[d]);
            }
            assertThat(byName.get("tags").getScalars().getArrayData().getData(i).getLongData().getDataList()).containsExactly(id, id % 3);
            assertThat(byName.get("meta").getScalars().getJsonData().getData(i).toStringUtf8().replace(" ", "")).isEqualTo("{\"a\":" + id + "}");
        }
    }
}
