package io.quiver.datanode;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.error.ErrorCode;
import io.quiver.datanode.compaction.CompactionExecutor;
import io.quiver.datanode.compaction.Compactor;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionResultsRequest;
import io.quiver.proto.CompactionTaskState;
import io.quiver.proto.CompactionType;
import io.quiver.proto.DataNodeGrpc;
import io.quiver.proto.DropCompactionPlansRequest;
import io.quiver.proto.Empty;
import io.quiver.proto.SaveBinlogPathsRequest;
import io.quiver.proto.UpdateChannelCheckpointRequest;
import io.quiver.storage.LocalObjectStore;
import io.quiver.storage.LocalWal;
import java.nio.file.Path;
import io.quiver.common.metrics.MetricsRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataNodeGrpcServiceTest {
    @TempDir
    Path tmp;

    @Test
    void compactionCallsReachTheExecutor() throws Exception {
        SyncTarget target = new SyncTarget() {
            @Override
            public void saveBinlogPaths(SaveBinlogPathsRequest r) {
            }

            @Override
            public void updateCheckpoint(UpdateChannelCheckpointRequest r) {
            }

            @Override
            public long allocateIds(int count) {
                return 1;
            }
        };
        Queue<Runnable> queued = new ArrayDeque<>();
        String name = InProcessServerBuilder.generateName();
        try (LocalWal wal = new LocalWal(tmp.resolve("wal")); LocalObjectStore store = new LocalObjectStore(tmp.resolve("obj"));
             DataNode node = new DataNode(wal, store, target, InstantSource.system(), 1 << 20, Duration.ofMinutes(1), 1,
                     new DataNodeMetrics(MetricsRegistry.create(), "1"))) {
            CompactionExecutor compactions = new CompactionExecutor(new Compactor(store, InstantSource.system())::execute, 1, queued::add);
            Server server = InProcessServerBuilder.forName(name).directExecutor()
                    .addService(new DataNodeGrpcService(node, compactions)).build().start();
            ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
            try {
                var stub = DataNodeGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                CollectionInfo c = CollectionInfo.newBuilder().setCollectionId(7).setSchema(CollectionSchema.newBuilder()
                        .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))).build();
                CompactionPlan plan = CompactionPlan.newBuilder().setPlanId(5).setType(CompactionType.MIX_COMPACTION).setCollection(c)
                        .setPartitionId(8).setVchannel("v").setMaxRows(10).setFirstLogId(100).setLogIdCount(10).build();
                assertThat(stub.compact(plan).getCode()).isZero();
                var slots = stub.getCompactionSlots(Empty.getDefaultInstance());
                assertThat(slots.getTotalSlots()).isEqualTo(1);
                assertThat(slots.getFreeSlots()).isZero();
                var refused = stub.compact(plan.toBuilder().setPlanId(6).build());
                assertThat(refused.getCode()).isEqualTo(ErrorCode.RESOURCE_INSUFFICIENT.code());

                queued.remove().run();
                CompactionResult r = stub.getCompactionResults(CompactionResultsRequest.newBuilder().addPlanIds(5).build()).getResults(0);
                assertThat(r.getState()).isEqualTo(CompactionTaskState.COMPLETED);
                assertThat(r.getSegmentsList()).isEmpty(); // no inputs, no rows
                assertThat(stub.dropCompactionPlans(DropCompactionPlansRequest.newBuilder().addPlanIds(5).build()).getCode()).isZero();
                assertThat(stub.getCompactionResults(CompactionResultsRequest.getDefaultInstance()).getResultsList()).isEmpty();
            } finally {
                channel.shutdownNow();
                server.shutdownNow();
            }
        }
    }
}
