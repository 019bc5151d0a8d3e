package io.quiver.datacoord;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.IndexState;
import io.milvus.grpc.KeyValuePair;
import io.quiver.proto.CreateIndexInternalRequest;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import io.quiver.storage.LocalMetaKv;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexManagerTest {
    @TempDir Path dir;
    private final AtomicLong ids = new AtomicLong(100);

    private IndexManager open(LocalMetaKv kv) {
        return new IndexManager(kv, "q", n -> ids.getAndAdd(n), InstantSource.system(), 0);
    }

    private static SegmentInfo flushed(long id) {
        return SegmentInfo.newBuilder().setSegmentId(id).setCollectionId(1).setPartitionId(2).setState(SegmentState.FLUSHED)
                .setLevel(SegmentLevel.L1).setNumRows(10).build();
    }

    @Test
    void aDroppedIndexDisappearsAtOnceButKeepsItsBuildsForGarbageCollection() {
        try (LocalMetaKv kv = new LocalMetaKv(dir)) {
            IndexManager m = open(kv);
            m.create(CreateIndexInternalRequest.newBuilder().setCollectionId(1).setFieldId(101).setFieldName("v").setIndexName("idx")
                    .setIsVector(true).addIndexParams(KeyValuePair.newBuilder().setKey("index_type").setValue("HNSW")).build());
            m.planBuilds(List.of(flushed(10), flushed(11)));
            SegmentIndex b = m.builds(IndexState.Unissued).getFirst();
            m.finish(b.getBuildId(), List.of("files/index_files/" + b.getBuildId() + "/1/2/" + b.getSegmentId() + "/index"), 1);
            long indexId = b.getIndexId();

            m.drop(1, "idx", 0);

            assertThat(m.find(1, "", 0)).isEmpty();
            assertThat(m.finishedFor(1, List.of())).isEmpty();
            assertThat(m.builds(IndexState.Unissued)).isEmpty(); // nothing of a dropped index is issued
            assertThat(m.allBuilds()).hasSize(2);
            assertThat(m.isDropped(indexId)).isTrue();
            m.planBuilds(List.of(flushed(12)));
            assertThat(m.allBuilds()).hasSize(2); // no new builds for a dropped index

            IndexManager reopened = open(kv);
            assertThat(reopened.isDropped(indexId)).isTrue();
            assertThat(reopened.allBuilds()).hasSize(2);
            assertThat(reopened.purgeDroppedIndexes()).isZero(); // builds still there

            reopened.allBuilds().forEach(x -> reopened.removeBuild(x.getBuildId()));
            assertThat(reopened.purgeDroppedIndexes()).isEqualTo(1);
            assertThat(kv.scan("q/datacoord/").kvs()).isEmpty();
        }
    }

    @Test
    void aNewIndexMayTakeTheNameOfADroppedOne() {
        try (LocalMetaKv kv = new LocalMetaKv(dir)) {
            IndexManager m = open(kv);
            CreateIndexInternalRequest hnsw = CreateIndexInternalRequest.newBuilder().setCollectionId(1).setFieldId(101).setFieldName("v")
                    .setIndexName("idx").setIsVector(true).addIndexParams(KeyValuePair.newBuilder().setKey("index_type").setValue("HNSW")).build();
            m.create(hnsw);
            m.drop(1, "idx", 0);
            m.create(hnsw.toBuilder().setIndexParams(0, KeyValuePair.newBuilder().setKey("index_type").setValue("IVF_FLAT")).build());

            assertThat(m.find(1, "idx", 0)).singleElement()
                    .satisfies(i -> assertThat(IndexManager.param(i.getIndexParamsList(), "index_type")).isEqualTo("IVF_FLAT"));
        }
    }
}
