package io.quiver.server.ctl;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DescribeIndexRequest;
import io.milvus.grpc.DescribeIndexResponse;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.FlushRequest;
import io.milvus.grpc.FlushResponse;
import io.milvus.grpc.GetFlushStateRequest;
import io.milvus.grpc.GetLoadStateRequest;
import io.milvus.grpc.IndexDescription;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LoadCollectionRequest;
import io.milvus.grpc.LoadState;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.Status;
import io.milvus.grpc.VectorField;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the load tools ({@link LoadTest}, {@link ChurnTest}) share of the raw Milvus gRPC API: the channel, request
 * pieces, status checks, and the bounded waits for flush + index and for load.
 */
final class MilvusRpc {
    static final long WAIT_MS = 120_000;

    private MilvusRpc() {}

    static ManagedChannel channel(String address) {
        return ClientChannels.open(address, 256 << 20);
    }

    /** A benchmark run on a blocking stub; its exit code. */
    interface StubRun {
        int run(MilvusServiceBlockingStub stub) throws InterruptedException;
    }

    /**
     * Runs {@code body} on a stub of a channel to {@code address} and closes the channel; a failed RPC or an
     * IllegalStateException prints "{@code what} failed: ..." and gives exit code 1.
     */
    static int withStub(String address, String what, PrintStream out, StubRun body) throws InterruptedException {
        ManagedChannel ch = channel(address);
        try {
            return body.run(MilvusServiceGrpc.newBlockingStub(ch));
        } catch (IllegalStateException | StatusRuntimeException e) {
            out.println(what + " failed: " + e.getMessage());
            return 1;
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Flushes, waits for the index, loads one replica and waits, printing how long each took; false if one failed. */
    static boolean flushIndexAndLoad(MilvusServiceBlockingStub stub, String collection, PrintStream out) throws InterruptedException {
        long t0 = System.nanoTime();
        if (!flushAndWait(stub, collection, out)) {
            return false;
        }
        out.printf("flushed and indexed in %.1f s; loading%n", (System.nanoTime() - t0) / 1e9);
        out.flush();
        return loadAndWait(stub, collection, 1, out);
    }

    static KeyValuePair kv(String k, String v) {
        return KeyValuePair.newBuilder().setKey(k).setValue(v).build();
    }

    static void check(Status s, String what) {
        if (s.getCode() != 0) {
            throw new IllegalStateException(what + " failed: " + s.getReason());
        }
    }

    static FieldData longField(String name, LongArray.Builder values) {
        return FieldData.newBuilder().setFieldName(name).setType(DataType.Int64).setScalars(ScalarField.newBuilder().setLongData(values)).build();
    }

    static FieldData floatVectorField(String name, int dim, FloatArray.Builder values) {
        return FieldData.newBuilder().setFieldName(name).setType(DataType.FloatVector)
                .setVectors(VectorField.newBuilder().setDim(dim).setFloatVector(values)).build();
    }

    /** The serialized placeholder group of float query vectors (little-endian floats, tag $0). */
    static ByteString placeholders(List<float[]> vectors) {
        PlaceholderValue.Builder v = PlaceholderValue.newBuilder().setTag("$0").setType(PlaceholderType.FloatVector);
        for (float[] q : vectors) {
            ByteBuffer bb = ByteBuffer.allocate(q.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : q) {
                bb.putFloat(f);
            }
            v.addValues(ByteString.copyFrom(bb.array()));
        }
        return PlaceholderGroup.newBuilder().addPlaceholders(v).build().toByteString();
    }

    /** Flushes the collection and waits (bounded) until its segments are flushed and its index covers every row. */
    static boolean flushAndWait(MilvusServiceBlockingStub stub, String coll, PrintStream out) throws InterruptedException {
        FlushResponse f = stub.withDeadlineAfter(60, TimeUnit.SECONDS).flush(FlushRequest.newBuilder().addCollectionNames(coll).build());
        check(f.getStatus(), "flush");
        long flushTs = f.getCollFlushTsOrDefault(coll, 0);
        long until = System.currentTimeMillis() + WAIT_MS;
        while (!stub.withDeadlineAfter(15, TimeUnit.SECONDS).getFlushState(GetFlushStateRequest.newBuilder().setCollectionName(coll)
                .setFlushTs(flushTs).addAllSegmentIDs(f.getCollSegIDsOrDefault(coll, LongArray.getDefaultInstance()).getDataList()).build())
                .getFlushed()) {
            if (System.currentTimeMillis() > until) {
                out.println(coll + " was not flushed in " + WAIT_MS / 1000 + " s");
                return false;
            }
            Thread.sleep(200);
        }
        while (true) {
            DescribeIndexResponse d = stub.withDeadlineAfter(15, TimeUnit.SECONDS)
                    .describeIndex(DescribeIndexRequest.newBuilder().setCollectionName(coll).build());
            check(d.getStatus(), "describe index");
            IndexDescription idx = d.getIndexDescriptions(0);
            if (idx.getPendingIndexRows() == 0 && idx.getIndexedRows() >= idx.getTotalRows()) {
                return true;
            }
            if (System.currentTimeMillis() > until) {
                out.println("index of " + coll + " not built in " + WAIT_MS / 1000 + " s: " + idx.getIndexedRows() + "/" + idx.getTotalRows() + " rows");
                return false;
            }
            Thread.sleep(500);
        }
    }

    /** Loads the collection with the given replicas and waits (bounded) until it is loaded. */
    static boolean loadAndWait(MilvusServiceBlockingStub stub, String coll, int replicas, PrintStream out) throws InterruptedException {
        check(stub.withDeadlineAfter(60, TimeUnit.SECONDS).loadCollection(LoadCollectionRequest.newBuilder().setCollectionName(coll)
                .setReplicaNumber(replicas).build()), "load");
        long until = System.currentTimeMillis() + WAIT_MS;
        while (stub.withDeadlineAfter(15, TimeUnit.SECONDS).getLoadState(GetLoadStateRequest.newBuilder().setCollectionName(coll).build())
                .getState() != LoadState.LoadStateLoaded) {
            if (System.currentTimeMillis() > until) {
                out.println(coll + " did not load in " + WAIT_MS / 1000 + " s");
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }
}
