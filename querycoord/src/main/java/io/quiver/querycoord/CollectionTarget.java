package io.quiver.querycoord;

import static java.util.Objects.requireNonNull;

import io.quiver.proto.CollectionInfo;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.GetSegmentIndexesResponse;
import io.quiver.proto.IndexInfo;
import io.quiver.proto.LoadCollectionInternalRequest;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.VchannelRecoveryInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one loaded collection should look like this round (Milvus' "target"): its channels, flushed L1 segments with
 * their finished indexes, and the compaction lineage of those segments, read from datacoord in one snapshot.
 *
 * @param leaderPartitions what leaders filter on: the loaded partitions of a partition load; empty = every partition,
 *                         including partitions created after the load (Milvus loads those automatically)
 */
record CollectionTarget(LoadCollectionInternalRequest load, CollectionInfo collection, List<Long> leaderPartitions,
                        GetRecoveryInfoResponse recovery, List<SegmentInfo> flushed, Map<Long, SegmentInfo> flushedById,
                        Map<Long, List<SegmentIndex>> indexBySegment, List<IndexInfo> indexInfos, Map<Long, SegmentInfo> resultOfInput) {

    static CollectionTarget of(LoadCollectionInternalRequest load, CollectionInfo collection, GetRecoveryInfoResponse recovery,
                               GetSegmentIndexesResponse indexes) {
        requireNonNull(load, "load is null");
        List<Long> leaderPartitions = load.getIsPartitionLoad() ? load.getPartitionIdsList() : List.of();
        Map<Long, List<SegmentIndex>> bySegment = new HashMap<>();
        for (SegmentIndex si : indexes.getSegmentIndexesList()) {
            bySegment.computeIfAbsent(si.getSegmentId(), k -> new ArrayList<>()).add(si);
        }
        List<SegmentInfo> flushed = recovery.getSegmentsList().stream().filter(s -> s.getLevel() == SegmentLevel.L1).toList();
        Map<Long, SegmentInfo> byId = new LinkedHashMap<>();
        Map<Long, SegmentInfo> resultOf = new HashMap<>();
        for (SegmentInfo s : flushed) {
            byId.put(s.getSegmentId(), s);
            s.getCompactedFromList().forEach(input -> resultOf.put(input, s));
        }
        // an input still listed in the target (datacoord should not show both) is served as itself, not as an input
        resultOf.keySet().removeIf(byId::containsKey);
        return new CollectionTarget(load, collection, leaderPartitions, recovery, flushed, Map.copyOf(byId), Map.copyOf(bySegment),
                indexes.getIndexesList(), Map.copyOf(resultOf));
    }

    long collectionId() {
        return load.getCollectionId();
    }

    List<VchannelRecoveryInfo> channels() {
        return recovery.getChannelsList();
    }

    List<SegmentIndex> builtIndexes(long segmentId) {
        return indexBySegment.getOrDefault(segmentId, List.of());
    }

    /** The build id of the newest finished index of the segment, 0 if it needs none yet. */
    long wantedBuild(long segmentId) {
        return builtIndexes(segmentId).stream().filter(b -> b.getIndexFilesCount() > 0).mapToLong(SegmentIndex::getBuildId).max().orElse(0);
    }

    boolean inTarget(long segmentId) {
        return flushedById.containsKey(segmentId);
    }
}
