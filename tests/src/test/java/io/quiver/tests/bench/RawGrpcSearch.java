package io.quiver.tests.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.DslType;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResults;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's searches from a plain gRPC blocking stub: each query's {@code SearchRequest} (what the SDK sends:
 * placeholder group, anns_field, topk, metric, params) is built before timing, and the response is only checked for
 * its status and ids. The difference to the SDK phase is what the SDK itself spends building requests and decoding
 * results; the difference to in-process is the server and the transport.
 */
final class RawGrpcSearch {
    private RawGrpcSearch() {}

    static void run(Map<String, String> a, SdkBench.Data d, String coll, int k, List<Set<Long>> truth) {
        URI uri = URI.create(a.get("--uri"));
        ManagedChannel ch = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        try {
            MilvusServiceGrpc.MilvusServiceBlockingStub stub = MilvusServiceGrpc.newBlockingStub(ch);
            SearchRequest[] reqs = new SearchRequest[d.queries().length];
            for (int q = 0; q < reqs.length; q++) {
                reqs[q] = request(a, coll, d.queries()[q], k);
            }
            long serverPid = Long.parseLong(a.getOrDefault("--server-pid", "0"));
            for (int w = 0; w < Integer.parseInt(a.get("--warmup-passes")); w++) {
                pass(stub, reqs, null, null);
            }
            SdkBench.Pass best = SdkBench.Pass.best(Integer.parseInt(a.get("--passes")), serverPid, (lat, hits) -> pass(stub, reqs, lat, hits),
                    reqs.length, truth.size());
            best.print("raw_grpc_search", "\"threads\":1", truth, k);
        } finally {
            ch.shutdownNow();
        }
    }

    private static void pass(MilvusServiceGrpc.MilvusServiceBlockingStub stub, SearchRequest[] reqs, long[] lat, long[][] hits) {
        for (int q = 0; q < reqs.length; q++) {
            long s = System.nanoTime();
            SearchResults r = stub.withDeadlineAfter(60, TimeUnit.SECONDS).search(reqs[q]);
            if (lat != null) {
                lat[q] = System.nanoTime() - s;
            }
            if (r.getStatus().getCode() != 0) {
                throw new IllegalStateException("search failed: " + r.getStatus().getReason());
            }
            if (hits != null && q < hits.length) {
                hits[q] = r.getResults().getIds().getIntId().getDataList().stream().mapToLong(Long::longValue).toArray();
            }
        }
    }

    private static SearchRequest request(Map<String, String> a, String coll, float[] v, int k) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) bb.putFloat(x);
        PlaceholderGroup pg = PlaceholderGroup.newBuilder().addPlaceholders(PlaceholderValue.newBuilder().setTag("$0")
                .setType(PlaceholderType.FloatVector).addValues(ByteString.copyFrom(bb.array()))).build();
        String params = a.get("--index").equals("FLAT") ? "{}" : "{\"" + a.get("--search").replace("=", "\":") + "}";
        return SearchRequest.newBuilder().setCollectionName(coll).setDslType(DslType.BoolExprV1).setDsl("")
                .setPlaceholderGroup(pg.toByteString()).setNq(1)
                .addSearchParams(kv("anns_field", "vector")).addSearchParams(kv("topk", Integer.toString(k)))
                .addSearchParams(kv("metric_type", a.get("--metric"))).addSearchParams(kv("params", params))
                .addSearchParams(kv("round_decimal", "-1"))
                .setConsistencyLevel(ConsistencyLevel.valueOf(capitalized(a.get("--consistency")))).setUseDefaultConsistency(false)
                .build();
    }

    private static String capitalized(String level) {
        return level.charAt(0) + level.substring(1).toLowerCase();
    }

    private static KeyValuePair kv(String k, String v) {
        return KeyValuePair.newBuilder().setKey(k).setValue(v).build();
    }
}
