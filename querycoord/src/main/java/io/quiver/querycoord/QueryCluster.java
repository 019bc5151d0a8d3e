package io.quiver.querycoord;

import io.quiver.proto.DistributionResponse;
import io.quiver.proto.GetRecoveryInfoResponse;
import io.quiver.proto.GetSegmentIndexesResponse;
import io.quiver.proto.QnLoadSegmentsRequest;
import io.quiver.proto.QnReleaseSegmentsRequest;
import io.quiver.proto.QnUnwatchChannelRequest;
import io.quiver.proto.QnWatchChannelRequest;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.SyncDistributionRequest;
import io.quiver.proto.CollectionInfo;
import java.util.List;

/** What querycoord needs from the rest of the cluster (an interface so the balancing logic stays gRPC-free). */
public interface QueryCluster {
    List<SessionInfo> queryNodes();

    DistributionResponse distribution(SessionInfo node);

    void watch(SessionInfo node, QnWatchChannelRequest request);

    void unwatch(SessionInfo node, QnUnwatchChannelRequest request);

    void load(SessionInfo node, QnLoadSegmentsRequest request);

    void release(SessionInfo node, QnReleaseSegmentsRequest request);

    void syncDistribution(SessionInfo node, SyncDistributionRequest request);

    GetRecoveryInfoResponse recoveryInfo(long collectionId, List<Long> partitionIds);

    GetSegmentIndexesResponse segmentIndexes(long collectionId);

    CollectionInfo collection(long collectionId);

    SegmentManifest manifest(String path);
}
