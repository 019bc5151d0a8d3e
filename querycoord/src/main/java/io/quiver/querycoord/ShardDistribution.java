package io.quiver.querycoord;

import io.quiver.proto.SealedSegmentLocation;
import java.util.List;

/**
 * What one SyncDistribution tells a shard's watcher: the complete sealed distribution, the loaded partitions (empty =
 * all) and the delete floor. Querycoord re-sends when any of the three changes.
 */
record ShardDistribution(List<SealedSegmentLocation> sealed, List<Long> partitionIds, long deleteFloorTs) {
    ShardDistribution {
        sealed = List.copyOf(sealed);
        partitionIds = List.copyOf(partitionIds);
    }
}
