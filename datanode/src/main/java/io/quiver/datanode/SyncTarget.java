package io.quiver.datanode;

import io.quiver.proto.SaveBinlogPathsRequest;
import io.quiver.proto.UpdateChannelCheckpointRequest;

/** Where a datanode reports persisted data: datacoord (an interface so the domain code stays gRPC-free). */
public interface SyncTarget {
    void saveBinlogPaths(SaveBinlogPathsRequest request);

    void updateCheckpoint(UpdateChannelCheckpointRequest request);

    /** Allocates {@code count} consecutive ids (log ids, L0 segment ids); returns the first. */
    long allocateIds(int count);
}
