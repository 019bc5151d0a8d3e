package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DescribeCollectionInternalRequest;
import io.quiver.proto.ShardLeadersRequest;
import io.quiver.proto.ShardLeadersResponse;
import java.time.Duration;

/**
 * The proxy's caches: collection metadata by (database, name) and shard leaders by collection. DDL through this
 * proxy invalidates at once; other changes are picked up when the short TTL expires (or on a failed call). Both are
 * {@link StaleCache}s: while rootcoord or querycoord cannot be reached, reads of loaded collections go on with the
 * last answers (docs/architecture.md, "Failure model").
 */
public final class MetaCache {
    /** How long a refresh may take while a last answer can be served instead. */
    static final Duration REFRESH_BUDGET = Duration.ofSeconds(2);
    private static final int MAX_ENTRIES = 100_000;

    private record CollectionKey(String db, String name) {
        static CollectionKey of(String db, String name) {
            return new CollectionKey(db == null || db.isEmpty() ? "default" : db, name);
        }
    }

    private final RoleClients clients;
    private final StaleCache<CollectionKey, CollectionInfo> collections;
    private final StaleCache<Long, ShardLeadersResponse> leaders;

    public MetaCache(RoleClients clients, Duration ttl) {
        this.clients = requireNonNull(clients, "clients is null");
        this.collections = new StaleCache<>("collections", ttl, REFRESH_BUDGET, MAX_ENTRIES);
        this.leaders = new StaleCache<>("shard-leaders", Duration.ofSeconds(3), REFRESH_BUDGET, MAX_ENTRIES);
    }

    public CollectionInfo collection(String db, String name) {
        return collections.get(CollectionKey.of(db, name), k -> {
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

    /** DDL through this proxy changed or dropped the collection: its cached description is forgotten. */
    public void invalidate(String db, String name) {
        collections.forget(CollectionKey.of(db, name));
    }

    /**
     * The next read asks rootcoord for the collection (DescribeCollection answers fresh); while rootcoord cannot be
     * reached, the last answer is still served (an SDK describes a collection before it searches it).
     */
    public void refresh(String db, String name) {
        collections.invalidate(CollectionKey.of(db, name));
    }

    public void invalidateAll() {
        collections.forgetAll();
        leaders.forgetAll();
    }

    public ShardLeadersResponse leaders(long collectionId) {
        return leaders.get(collectionId, k -> {
            ShardLeadersResponse r = clients.queryCoord().getShardLeaders(ShardLeadersRequest.newBuilder().setCollectionId(k).build());
            Statuses.check(r.getStatus());
            return r;
        });
    }

    /** The cached leaders may be out of date (a call failed): the next read asks querycoord. */
    public void invalidateLeaders(long collectionId) {
        leaders.invalidate(collectionId);
    }

    /** The collection was loaded or released through this proxy: its leaders are forgotten, last answer included. */
    public void forgetLeaders(long collectionId) {
        leaders.forget(collectionId);
    }
}
