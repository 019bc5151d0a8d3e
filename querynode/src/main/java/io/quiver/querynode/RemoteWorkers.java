package io.quiver.querynode;

import io.quiver.proto.ApplyDeleteRequest;
import io.quiver.proto.ShardQueryRequest;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchRequest;
import io.quiver.proto.ShardSearchResponse;
import java.util.concurrent.CompletableFuture;

/** Calls to the querynodes that hold a shard's sealed segments (the shard leader's workers). */
public interface RemoteWorkers {
    CompletableFuture<ShardSearchResponse> search(String address, ShardSearchRequest request);

    CompletableFuture<ShardQueryResponse> query(String address, ShardQueryRequest request);

    void applyDelete(String address, ApplyDeleteRequest request);
}
