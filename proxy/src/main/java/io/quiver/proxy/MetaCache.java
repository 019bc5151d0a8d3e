package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DescribeCollectionInternalRequest;
import io.quiver.proto.ShardLeader;
import io.quiver.proto.ShardLeadersRequest;
import io.quiver.proto.ShardLeadersResponse;
import java.time.Duration;
import java.util.List;

/**
 * The proxy's caches: collection metadata by (database, name) and shard leaders by collection. DDL through this
 * proxy invalidates at once; other changes are picked up when the short TTL expires (or on a failed call).
 */
public final class MetaCache {
    private final RoleClients clients;
    private final Cache<String, CollectionInfo> collections;
    private final Cache<Long, ShardLeadersResponse> leaders;

    public MetaCache(RoleClients clients, Duration ttl) {
        this.clients = requireNonNull(clients, "clients is null");
        this.collections = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(100_000).build();
        this.leaders = Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(3)).maximumSize(100_000).build();
    }

    private static String key(String db, String name) {
        return (db == null || db.isEmpty() ? "default" : db) + "\u0000" + name;
    }

    public CollectionInfo collection(String db, String name) {
        return collections.get(key(db, name), k -> {
            var r = clients.rootCoord().describeCollection(DescribeCollectionInternalRequest.newBuilder()
                    .setDbName(db == null ? "" : db).setCollectionName(name).build());
            Statuses.check(r.getStatus());
            return r.getCollection();
        });
    }

    /** A collection by id (not cached: only the rare calls that name a collection by id use it). */
    public CollectionInfo collectionById(long collectionId) {
        var r = clients.rootCoord().describeCollection(DescribeCollectionInternalRequest.newBuilder().setCollectionId(collectionId).build());
        Statuses.check(r.getStatus());
        return r.getCollection();
    }

    public void invalidate(String db, String name) {
        collections.invalidate(key(db, name));
    }

    public void invalidateAll() {
        collections.invalidateAll();
        leaders.invalidateAll();
    }

    public ShardLeadersResponse leaders(long collectionId) {
        return leaders.get(collectionId, k -> {
            ShardLeadersResponse r = clients.queryCoord().getShardLeaders(ShardLeadersRequest.newBuilder().setCollectionId(k).build());
            Statuses.check(r.getStatus());
            return r;
        });
    }

    public void invalidateLeaders(long collectionId) {
        leaders.invalidate(collectionId);
    }

    public static ShardLeader leaderOf(ShardLeadersResponse r, String vchannel) {
        List<ShardLeader> l = r.getLeadersList().stream().filter(x -> x.getVchannel().equals(vchannel)).toList();
        return l.isEmpty() ? null : l.get(0);
    }
}
