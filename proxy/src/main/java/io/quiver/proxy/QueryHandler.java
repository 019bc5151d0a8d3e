package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.milvus.grpc.IDs;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResults;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Params;
import io.quiver.common.text.Bm25Function;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DescribeIndexInternalRequest;
import io.quiver.proto.QueryPlan;
import io.quiver.proto.SearchPlan;
import io.quiver.proto.ShardLeadersResponse;
import io.quiver.proto.ShardQueryRequest;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchRequest;
import io.quiver.proto.ShardSearchResponse;
import io.quiver.proto.plan.PlanExpr;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Search and query (DESIGN section 11) as three steps, the way Milvus' proxy splits a search task: the
 * {@link ReadPlanner} turns the request into a shard plan (no I/O), the {@link ShardRouter} sends it to every shard
 * leader (replica choice, failover, leader refresh, under the deadline), the {@link ResultAssembler} reduces the
 * answers into the SDK's response. This class only fetches what the planner needs (collection, loaded partitions,
 * indexes, timestamps) and passes the results along.
 */
public final class QueryHandler {
    private static final Logger LOG = LoggerFactory.getLogger(QueryHandler.class);
    /** Longer search params JSON is parsed every time, so the cache stays small whatever clients send. */
    private static final int MAX_CACHED_PARAMS_JSON = 1024;

    private final MetaCache meta;
    private final RoleClients clients;
    private final Timestamps timestamps;
    private final ReadTs.Clock readClock;
    private final CollectionTtl ttl;
    private final ReadPlanner planner;
    private final ShardRouter router;
    private final ResultAssembler assembler;
    /** The proxy's BM25 analyzers (one cache), for search texts here and inserted texts in {@link DmlHandler}. */
    private final Bm25Texts bm25Texts = new Bm25Texts();
    private final Bm25Search bm25 = new Bm25Search(bm25Texts);
    /**
     * The index facts of a collection by id, from one describe-index call; cached briefly, they change only by DDL;
     * served as last known while datacoord cannot be reached.
     */
    private final StaleCache<Long, IndexFacts> indexFacts = new StaleCache<>("index-facts", Duration.ofSeconds(5), MetaCache.REFRESH_BUDGET, 10_000);
    /**
     * Search params JSON ({@code {"ef":64}}) as parsed, by its text: an SDK sends the same few on every request, and
     * parsing one cost a fifth of what the proxy allocated per search.
     */
    private final Cache<String, Map<String, String>> paramsJson = Caffeine.newBuilder().maximumSize(1024).build();

    public QueryHandler(MetaCache meta, RoleClients clients, Timestamps timestamps, int maxTopK, int maxNq, Duration timeout,
                        ReplicaSelector selector, CollectionTtl ttl) {
        this.meta = requireNonNull(meta, "meta is null");
        this.clients = requireNonNull(clients, "clients is null");
        this.timestamps = requireNonNull(timestamps, "timestamps is null");
        this.readClock = new ProxyClock(timestamps);
        this.ttl = requireNonNull(ttl, "ttl is null");
        this.planner = new ReadPlanner(maxTopK, maxNq);
        this.router = new ShardRouter(new MetaCacheLeaders(meta), selector, timeout, InstantSource.system(), Thread::sleep);
        this.assembler = new ResultAssembler(() -> UUID.randomUUID().toString());
    }

    /** The router's view of the meta cache's shard leaders. */
    private record MetaCacheLeaders(MetaCache meta) implements ShardRouter.LeaderSource {
        @Override
        public ShardLeadersResponse leaders(long collectionId) {
            return meta.leaders(collectionId);
        }

        @Override
        public void invalidate(long collectionId) {
            meta.invalidateLeaders(collectionId);
        }
    }

    /** The read timestamps' source: this proxy's timestamps. */
    private record ProxyClock(Timestamps timestamps) implements ReadTs.Clock {
        @Override
        public long now() {
            return timestamps.now();
        }

        @Override
        public long staleBy(long ms) {
            return timestamps.staleBy(ms);
        }
    }

    private IndexFacts indexes(CollectionInfo c) {
        return indexFacts.get(c.getCollectionId(), id -> IndexFacts.of(clients.dataCoord()
                .describeIndex(DescribeIndexInternalRequest.newBuilder().setCollectionId(id).build())));
    }

    private ReadPlanner.LoadedState loaded(CollectionInfo c, ShardLeadersResponse leaders) {
        return new ReadPlanner.LoadedState(leaders.getLoadedPartitionIdsList(), indexes(c), ttl.expireTs(c));
    }

    public SearchResults search(String db, SearchRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        Map<String, String> p = Params.flatten(req.getSearchParamsList(),
                json -> json.length() <= MAX_CACHED_PARAMS_JSON ? paramsJson.get(json, Params::jsonObject) : Params.jsonObject(json));
        if (LOG.isDebugEnabled()) {
            LOG.debug("search collection={} nq={} params={} dsl={} guaranteeTs={} level={} useDefault={} outputs={}", req.getCollectionName(),
                    req.getNq(), p, req.getDsl(), req.getGuaranteeTimestamp(), req.getConsistencyLevel(), req.getUseDefaultConsistency(),
                    req.getOutputFieldsList());
        }
        ReadPlanner.SearchShape shape = planner.checkSearch(c, req, p, indexes(c));
        ShardLeadersResponse leaders = router.leaders(c);
        ReadTs ts = ReadTs.resolve(ReadPlanner.readKind(c, req.getUseDefaultConsistency(), req.getConsistencyLevel()),
                req.getGuaranteeTimestamp(), readClock);
        ReadPlanner.LoadedState loaded = loaded(c, leaders);
        ReadPlanner.PlannedSearch planned = planner.planSearch(c, req, p, shape, loaded, ts);
        SearchPlan plan = planned.plan();
        if (shape.field().getIsFunctionOutput()) {
            Bm25Function fn = Bm25Function.byOutput(c.getSchema(), shape.field().getFieldID())
                    .orElseThrow(() -> QuiverException.invalid("field %s is a function output but no BM25 function outputs it", shape.field().getName()));
            plan = bm25.weigh(fn, plan, loaded.indexes().paramsOf(shape.field().getFieldID()), stats -> searchShards(c, leaders, stats));
        }
        return assembler.search(c, planned, searchShards(c, leaders, plan), ts.guaranteeTs());
    }

    private List<ShardSearchResponse> searchShards(CollectionInfo c, ShardLeadersResponse leaders, SearchPlan plan) {
        return router.call(c, leaders, (addr, vchannel) -> clients.queryNode(addr)
                .search(ShardSearchRequest.newBuilder().setPlan(plan).setVchannel(vchannel).build()), ShardSearchResponse::getStatus);
    }

    public QueryResults query(String db, QueryRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        Map<String, String> p = Params.flatten(req.getQueryParamsList());
        ReadPlanner.QueryShape shape = planner.checkQuery(req, p);
        ShardLeadersResponse leaders = router.leaders(c);
        ReadTs ts = ReadTs.resolve(ReadPlanner.queryReadKind(c, req, p), req.getGuaranteeTimestamp(), readClock);
        ReadPlanner.PlannedQuery planned = planner.planQuery(c, req, p, shape, loaded(c, leaders), ts);
        return assembler.query(c, planned, queryShards(c, leaders, planned.plan()), ts.guaranteeTs());
    }

    private List<ShardQueryResponse> queryShards(CollectionInfo c, ShardLeadersResponse leaders, QueryPlan plan) {
        return router.call(c, leaders, (addr, vchannel) -> clients.queryNode(addr)
                .query(ShardQueryRequest.newBuilder().setPlan(plan).setVchannel(vchannel).build()), ShardQueryResponse::getStatus);
    }

    Bm25Texts bm25Texts() {
        return bm25Texts;
    }

    /** The metric a (sub-)search uses: given, else the index's (for its anns field). */
    String metricFor(CollectionInfo c, Map<String, String> searchParams) {
        return ReadPlanner.metricFor(c, searchParams, indexes(c));
    }

    /** Rows by primary key with output fields (hybrid search's fetch of the fused hits), read Strong. */
    QueryResults rowsByPrimaryKeys(String db, CollectionInfo c, IDs ids, List<String> outputFields, List<String> partitions) {
        ShardLeadersResponse leaders = router.leaders(c);
        ReadPlanner.LoadedState loaded = new ReadPlanner.LoadedState(leaders.getLoadedPartitionIdsList(), IndexFacts.NONE, ttl.expireTs(c));
        ReadPlanner.PlannedQuery planned = planner.planFetch(c, ids, outputFields, partitions, loaded, ReadTs.strongAt(timestamps.now()));
        return ResultAssembler.fetched(planned, queryShards(c, leaders, planned.plan()));
    }

    /**
     * The primary keys matching a filter now (delete by expression). Expired rows match too (no expire_ts): TTL only
     * hides rows, and a delete must still hold when the TTL is lowered or removed.
     */
    IDs primaryKeysMatching(CollectionInfo c, PlanExpr filter, long partitionId) {
        ShardLeadersResponse leaders = router.leaders(c);
        ReadTs ts = ReadTs.strongAt(timestamps.now());
        QueryPlan plan = ReadPlanner.planMatching(c, filter, partitionId, leaders.getLoadedPartitionIdsList(), ts);
        return ResultAssembler.matchingIds(c, queryShards(c, leaders, plan));
    }
}
