package io.quiver.rootcoord;

import io.quiver.proto.CollectionInfo;
import java.util.List;

/** What rootcoord tells the other coordinators when DDL changes data ownership. */
public interface DdlListener {
    /** A collection was created: datacoord assigns its vchannels to datanodes. */
    void collectionCreated(CollectionInfo collection);

    /** Data of a collection (or some partitions) is going away: release it from querynodes, drop its segments. */
    void dataDropped(long collectionId, List<Long> partitionIds);
}
