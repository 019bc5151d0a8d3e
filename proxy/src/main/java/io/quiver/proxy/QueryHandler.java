package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.IDs;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.expr.ExprPlanner;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.reduce.QueryReduce;
import io.quiver.common.reduce.SearchReduce;
import io.quiver.common.schema.Params;
import io.quiver.common.schema.Schemas;
import io.quiver.common.util.HybridTs;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DescribeIndexInternalRequest;
import io.quiver.proto.IndexDescription;
import io.quiver.proto.QueryPlan;
import io.quiver.proto.SearchPlan;
import io.quiver.proto.ShardLeader;
import io.quiver.proto.ShardLeadersResponse;
import io.quiver.proto.ShardQueryRequest;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchRequest;
import io.quiver.proto.ShardSearchResponse;
import io.quiver.proto.plan.PlanExpr;
import io.quiver.index.MetricType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Search and query (DESIGN section 11): plan against the schema (filter, output fields, metric, consistency),
 * fan out to every shard leader in parallel under the request deadline, reduce (top-k by score, primary keys
 * deduplicated; or pk-ordered rows), apply offset and limit, build the Milvus response.
 */
public final class QueryHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QueryHandler.class);
    static final long BOUNDED_STALENESS_MS = 5000;
    static final long LEADER_WAIT_MS = 10_000;

    private final MetaCache meta;
    private final RoleClients clients;
    private final Timestamps timestamps;
    private final int maxTopK;
    private final int maxNq;
    private final Duration timeout;
    private final ReplicaSelector selector;
    private final CollectionTtl ttl;
    private final java.util.concurrent.ExecutorService shardCalls = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    public QueryHandler(MetaCache meta, RoleClients clients, Timestamps timestamps, int maxTopK, int maxNq, Duration timeout,
                        ReplicaSelector selector, CollectionTtl ttl) {
        this.ttl = requireNonNull(ttl, "ttl is null");
        this.selector = requireNonNull(selector, "selector is null");
        this.meta = requireNonNull(meta, "meta is null");
        this.clients = requireNonNull(clients, "clients is null");
        this.timestamps = requireNonNull(timestamps, "timestamps is null");
        this.maxTopK = maxTopK;
        this.maxNq = maxNq;
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /**
     * When a shard serves a read: after tSafe reaches {@code guaranteeTs}, or, {@code strong}, after its leader has
     * applied the WAL through its end; then at {@code mvccTs} (0: at the shard's tSafe).
     */
    record ReadTs(long guaranteeTs, long mvccTs, boolean strong) {
        static ReadTs strongAt(long now) {
            return new ReadTs(now, now, true);
        }

        /** A snapshot at exactly {@code ts}, complete (tSafe passed it): iterator pages. */
        static ReadTs snapshotAt(long ts) {
            return new ReadTs(ts, ts, false);
        }

        static ReadTs atTsafe(long guaranteeTs) {
            return new ReadTs(guaranteeTs, 0, false);
        }
    }

    /** The read timestamps of a consistency level. */
    ReadTs consistency(CollectionInfo c, boolean useDefault, ConsistencyLevel level, long given) {
        ConsistencyLevel l = useDefault ? c.getConsistencyLevel() : level;
        return switch (l) {
            case Strong -> ReadTs.strongAt(timestamps.now());
            case Session -> ReadTs.atTsafe(given > 2 ? given : 1);
            case Eventually -> ReadTs.atTsafe(1);
            default -> ReadTs.atTsafe(timestamps.staleBy(BOUNDED_STALENESS_MS));
        };
    }

    private static long param(Map<String, String> p, String key, long dflt) {
        String v = p.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            try {
                return (long) Double.parseDouble(v.trim());
            } catch (NumberFormatException e2) {
                throw QuiverException.invalid("%s [%s] is invalid, it should be an integer", key, v);
            }
        }
    }

    private List<Long> partitionIds(CollectionInfo c, List<String> names, List<Long> loaded) {
        List<Long> out = new ArrayList<>();
        for (String n : names) {
            long id = c.getPartitionsList().stream().filter(p -> p.getName().equals(n)).findFirst()
                    .orElseThrow(() -> new QuiverException(ErrorCode.PARTITION_NOT_FOUND, "partition=" + n)).getPartitionId();
            if (!loaded.isEmpty() && !loaded.contains(id)) {
                throw new QuiverException(ErrorCode.PARTITION_NOT_LOADED, "partition=" + n);
            }
            out.add(id);
        }
        if (out.isEmpty()) {
            // a partition load: its partitions; a whole-collection load: the partitions that exist now (never
            // a dropped one, whose rows may still sit in the WAL the shard leaders replay)
            if (!loaded.isEmpty()) {
                out.addAll(loaded);
            } else {
                c.getPartitionsList().forEach(p -> out.add(p.getPartitionId()));
            }
        }
        return out;
    }

    /** Output fields by name: "*" = every field; unknown names become dynamic keys (served from $meta). */
    static List<FieldSchema> outputFields(CollectionSchema schema, List<String> names, Set<String> outNames) {
        LinkedHashSet<FieldSchema> out = new LinkedHashSet<>();
        for (String n : names) {
            String name = n.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals("*")) {
                schema.getFieldsList().forEach(out::add);
                schema.getFieldsList().stream().filter(f -> !f.getIsDynamic()).forEach(f -> outNames.add(f.getName()));
                continue;
            }
            var f = Schemas.byName(schema, name);
            if (f.isPresent()) {
                out.add(f.get());
                outNames.add(name);
            } else if (schema.getEnableDynamicField()) {
                Schemas.dynamicField(schema).ifPresent(out::add);
                outNames.add(name);
            } else {
                throw new QuiverException(ErrorCode.FIELD_NOT_FOUND, "field " + name + " not exist");
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * The shard leaders of a loaded collection. A load that is still placing leaders (a collection loaded a
     * moment ago, a leader moving) is waited for, with backoff, up to {@link #LEADER_WAIT_MS} within the
     * request deadline, as Milvus' proxy retries "no shard leader"; a collection that is not loaded fails at once.
     */
    private ShardLeadersResponse leaders(CollectionInfo c) {
        long deadline = System.currentTimeMillis() + Math.min(LEADER_WAIT_MS, timeout.toMillis());
        long backoff = 20;
        while (true) {
            ShardLeadersResponse r;
            try {
                r = meta.leaders(c.getCollectionId());
            } catch (QuiverException e) {
                if (e.errorCode() == ErrorCode.COLLECTION_NOT_LOADED) {
                    throw new QuiverException(ErrorCode.COLLECTION_NOT_LOADED, "collection=" + c.getName() + ": load it before search or query");
                }
                throw e;
            }
            boolean complete = c.getVchannelsList().stream().allMatch(v -> MetaCache.leaderOf(r, v) != null);
            if (complete) {
                return r;
            }
            meta.invalidateLeaders(c.getCollectionId());
            if (System.currentTimeMillis() + backoff > deadline || io.grpc.Context.current().isCancelled()) {
                throw new QuiverException(ErrorCode.CHANNEL_NOT_AVAILABLE, "collection " + c.getName()
                        + " is still loading: not every shard has a leader yet");
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QuiverException(ErrorCode.CANCELED, "interrupted");
            }
            backoff = Math.min(500, backoff * 2);
        }
    }

    private final com.github.benmanes.caffeine.cache.Cache<String, java.util.Optional<String>> indexMetrics =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(5)).maximumSize(10_000).build();

    private final com.github.benmanes.caffeine.cache.Cache<Long, List<Long>> scalarIndexed =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(5)).maximumSize(10_000).build();

    /** Fields with a scalar index (their filters run on the index in sealed segments); cached briefly. */
    private List<Long> scalarIndexedFields(CollectionInfo c) {
        return scalarIndexed.get(c.getCollectionId(), id -> {
            var r = clients.dataCoord().describeIndex(DescribeIndexInternalRequest.newBuilder().setCollectionId(id).build());
            if (!Statuses.isOk(r.getStatus())) {
                return List.of();
            }
            return r.getIndexesList().stream().filter(d -> !d.getIndex().getIsVector()).map(d -> d.getIndex().getFieldId()).toList();
        });
    }

    /** The metric of the field's index, if it has one (cached briefly: it changes only by DDL). */
    private String indexMetric(CollectionInfo c, FieldSchema field) {
        return indexMetrics.get(c.getCollectionId() + "/" + field.getFieldID(), k -> java.util.Optional.ofNullable(lookupIndexMetric(c, field))).orElse(null);
    }

    void invalidateIndexMetrics() {
        indexMetrics.invalidateAll();
    }

    private String lookupIndexMetric(CollectionInfo c, FieldSchema field) {
        var r = clients.dataCoord().describeIndex(DescribeIndexInternalRequest.newBuilder().setCollectionId(c.getCollectionId())
                .setFieldId(field.getFieldID()).build());
        String indexMetric = null;
        if (Statuses.isOk(r.getStatus())) {
            for (IndexDescription d : r.getIndexesList()) {
                String m = Params.flatten(d.getIndex().getIndexParamsList()).get("metric_type");
                if (m != null) {
                    indexMetric = m.toUpperCase();
                }
            }
        }
        return indexMetric;
    }

    private String metricOf(CollectionInfo c, FieldSchema field, String given) {
        String indexMetric = indexMetric(c, field);
        if (given != null && !given.isBlank()) {
            String g = given.trim().toUpperCase();
            try {
                MetricType.parse(g);
            } catch (IllegalArgumentException e) {
                throw QuiverException.invalid("metric type %s is not supported", given);
            }
            if (indexMetric != null && !indexMetric.equals(g)) {
                throw new QuiverException(ErrorCode.METRIC_TYPE_MISMATCH, "metric type not match: invalid parameter[expected=" + indexMetric
                        + "][actual=" + g + "]");
            }
            return g;
        }
        if (indexMetric != null) {
            return indexMetric;
        }
        return field.getDataType() == DataType.BinaryVector ? "HAMMING" : "COSINE";
    }

    public SearchResults search(String db, SearchRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        CollectionSchema schema = c.getSchema();
        Map<String, String> p = Params.flatten(req.getSearchParamsList());
        if (LOG.isDebugEnabled()) {
            LOG.debug("search collection={} nq={} params={} dsl={} guaranteeTs={} level={} useDefault={} outputs={}", req.getCollectionName(),
                    req.getNq(), p, req.getDsl(), req.getGuaranteeTimestamp(), req.getConsistencyLevel(), req.getUseDefaultConsistency(),
                    req.getOutputFieldsList());
        }
        String annsName = p.getOrDefault("anns_field", "");
        List<FieldSchema> vectors = Schemas.vectorFields(schema);
        FieldSchema field;
        if (annsName.isBlank()) {
            if (vectors.size() != 1) {
                throw QuiverException.invalid("multiple anns_fields exist, please specify a anns_field in search_params");
            }
            field = vectors.get(0);
        } else {
            field = Schemas.byName(schema, annsName).filter(f -> Schemas.isVector(f.getDataType()))
                    .orElseThrow(() -> new QuiverException(ErrorCode.FIELD_NOT_FOUND, "failed to get field schema by name: fieldName(" + annsName + ") not found"));
        }
        long topk = param(p, "topk", param(p, "limit", -1));
        if (topk <= 0 || topk > maxTopK) {
            throw QuiverException.invalid("topk [%d] is invalid, it should be in range [1, %d]", topk, maxTopK);
        }
        long offset = param(p, "offset", 0);
        if (offset < 0 || offset + topk > maxTopK) {
            throw QuiverException.invalid("(offset+limit) should be in range [1, %d], but got %d", maxTopK, offset + topk);
        }
        PlaceholderGroup pg;
        try {
            pg = PlaceholderGroup.parseFrom(req.getPlaceholderGroup());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw QuiverException.invalid("placeholder group is not a valid PlaceholderGroup");
        }
        int nq = pg.getPlaceholdersCount() == 0 ? 0 : pg.getPlaceholders(0).getValuesCount();
        if (nq <= 0 || nq > maxNq) {
            throw QuiverException.invalid("nq [%d] is invalid, it should be in range [1, %d]", nq, maxNq);
        }
        String metric = metricOf(c, field, p.get("metric_type"));
        ShardLeadersResponse leaders = leaders(c);
        List<Long> partitionIds = partitionIds(c, req.getPartitionNamesList(), leaders.getLoadedPartitionIdsList());
        PlanExpr filter = ExprPlanner.plan(req.getDsl(), schema, req.getExprTemplateValuesMap());
        partitionIds = pruneByPartitionKey(c, filter, partitionIds, req.getPartitionNamesCount() > 0);
        Set<String> outNames = new LinkedHashSet<>();
        List<FieldSchema> out = outputFields(schema, req.getOutputFieldsList(), outNames);
        boolean starWithDynamic = req.getOutputFieldsList().contains("*") && schema.getEnableDynamicField();
        GroupBy group = GroupBy.of(schema, p, (int) (offset + topk), maxTopK);
        if (group != null && out.stream().noneMatch(f -> f.getFieldID() == group.field().getFieldID())) {
            out = new ArrayList<>(out);
            out.add(group.field()); // needed to group; dropped from the response unless asked for
        }
        ReadTs ts = consistency(c, req.getUseDefaultConsistency(), req.getConsistencyLevel(), req.getGuaranteeTimestamp());
        SearchPlan.Builder plan = SearchPlan.newBuilder().setCollectionId(c.getCollectionId()).addAllPartitionIds(partitionIds)
                .setAnnsFieldId(field.getFieldID()).setMetricType(metric).setTopk(group == null ? offset + topk : group.candidates()).setNq(nq)
                .setPlaceholderGroup(req.getPlaceholderGroup()).setFilter(filter)
                .addAllOutputFieldIds(out.stream().map(FieldSchema::getFieldID).toList())
                .setGuaranteeTs(ts.guaranteeTs()).setMvccTs(ts.mvccTs()).setStrong(ts.strong()).setExpireTs(ttl.expireTs(c))
                .setIgnoreGrowing(Boolean.parseBoolean(p.getOrDefault("ignore_growing", "false")))
                .addAllScalarIndexFieldIds(scalarIndexedFields(c));
        for (Map.Entry<String, String> e : p.entrySet()) {
            plan.addSearchParams(KeyValuePair.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        boolean ascending = metric.equals("L2") || metric.equals("HAMMING") || metric.equals("JACCARD");
        boolean iteratorV2 = Boolean.parseBoolean(p.getOrDefault("search_iter_v2", "false"));
        if (p.containsKey("radius")) {
            float radius = parseFloat(p, "radius");
            plan.setHasRange(true).setRadius(radius);
            if (p.containsKey("range_filter")) {
                float rf = parseFloat(p, "range_filter");
                if (ascending && rf >= radius) {
                    throw QuiverException.invalid("range_filter must be less than radius for L2/HAMMING/JACCARD, got radius %s range_filter %s", radius, rf);
                }
                if (!ascending && rf <= radius) {
                    throw QuiverException.invalid("range_filter must be greater than radius for IP/COSINE, got radius %s range_filter %s", radius, rf);
                }
                plan.setHasRangeFilter(true).setRangeFilter(rf);
            }
        }
        if (iteratorV2 && p.containsKey("search_iter_last_bound")) {
            // server-assisted iterator: the next page is everything strictly worse than the last page's bound
            float bound = parseFloat(p, "search_iter_last_bound");
            if (ascending) {
                plan.setHasRange(true).setRadius(Float.POSITIVE_INFINITY).setHasRangeFilter(true).setRangeFilter(Math.nextUp(bound));
            } else {
                plan.setHasRange(true).setRadius(Float.NEGATIVE_INFINITY).setHasRangeFilter(true).setRangeFilter(Math.nextDown(bound));
            }
        }
        List<ShardSearchResponse> parts = fanOut(c, leaders, plan.build());
        ShardSearchResponse merged = SearchReduce.merge(parts, nq, group == null ? (int) (offset + topk) : group.candidates(), ascending);
        if (group != null) {
            List<Long> outIds = out.stream().map(FieldSchema::getFieldID).toList();
            return group.apply(c, merged, nq, (int) topk, (int) offset, outIds, outNames, req.getOutputFieldsList(), ts.guaranteeTs());
        }
        int round = (int) param(p, "round_decimal", -1);
        if (starWithDynamic) {
            // the SDKs build search entities from output_fields: name the dynamic keys the hits carry, so "*" returns them
            merged.getFieldsDataList().stream().filter(FieldData::getIsDynamic).findFirst().ifPresent(meta -> {
                for (com.google.protobuf.ByteString json : meta.getScalars().getJsonData().getDataList()) {
                    try {
                        var o = com.google.gson.JsonParser.parseString(json.toStringUtf8());
                        if (o.isJsonObject()) {
                            outNames.addAll(o.getAsJsonObject().keySet());
                        }
                    } catch (RuntimeException e) {
                        // not an object: nothing to name
                    }
                }
            });
        }
        SearchResults results = buildSearchResults(c, merged, nq, (int) topk, (int) offset, round, outNames, ts.guaranteeTs());
        if (iteratorV2) {
            // the token names the iteration (the pages are stateless range searches); last_bound = the page's worst score
            String token = p.getOrDefault("search_iter_id", "");
            if (token.isBlank()) {
                token = java.util.UUID.randomUUID().toString();
            }
            var data = results.getResults();
            float last = data.getScoresCount() == 0 ? p.containsKey("search_iter_last_bound") ? parseFloat(p, "search_iter_last_bound") : 0f
                    : data.getScores(data.getScoresCount() - 1);
            results = results.toBuilder().setResults(data.toBuilder().setSearchIteratorV2Results(
                    io.milvus.grpc.SearchIteratorV2Results.newBuilder().setToken(token).setLastBound(last))).build();
        }
        return results;
    }

    private static float parseFloat(Map<String, String> p, String key) {
        try {
            return Float.parseFloat(p.get(key).trim());
        } catch (NumberFormatException e) {
            throw QuiverException.invalid("%s [%s] is invalid, it should be a number", key, p.get(key));
        }
    }

    private List<ShardSearchResponse> fanOut(CollectionInfo c, ShardLeadersResponse leaders, SearchPlan plan) {
        return callShards(c, leaders, (addr, vchannel) -> clients.queryNode(addr)
                .search(ShardSearchRequest.newBuilder().setPlan(plan).setVchannel(vchannel).build()), ShardSearchResponse::getStatus);
    }

    /**
     * Calls every shard in parallel (virtual threads, inside the caller's gRPC context so its deadline and
     * cancellation carry through), each on the replica the selector orders first; a replica that fails with an
     * availability error is marked bad and the next one is tried, with bounded exponential backoff, before the
     * request fails.
     */
    private <T> List<T> callShards(CollectionInfo c, ShardLeadersResponse leaders, java.util.function.BiFunction<String, String, T> call,
                                   java.util.function.Function<T, io.milvus.grpc.Status> statusOf) {
        List<java.util.concurrent.Future<T>> futures = new ArrayList<>();
        for (String vchannel : c.getVchannelsList()) {
            List<ShardLeader> candidates = selector.order(leaders, vchannel, vchannel);
            if (candidates.isEmpty()) {
                meta.invalidateLeaders(c.getCollectionId());
                throw new QuiverException(ErrorCode.CHANNEL_NOT_AVAILABLE, "no shard leader for " + vchannel + " yet: the collection is still loading");
            }
            futures.add(shardCalls.submit(io.grpc.Context.current().wrap(() -> callWithRefresh(c, vchannel, candidates, call, statusOf))));
        }
        List<T> out = new ArrayList<>();
        for (var f : futures) {
            try {
                out.add(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QuiverException(ErrorCode.CANCELED, "interrupted");
            } catch (TimeoutException e) {
                futures.forEach(x -> x.cancel(true));
                throw new QuiverException(ErrorCode.TIMEOUT, "shards did not answer in " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                futures.forEach(x -> x.cancel(true));
                if (e.getCause() instanceof QuiverException q) {
                    throw q;
                }
                throw new QuiverException(ErrorCode.NODE_NOT_AVAILABLE, String.valueOf(e.getCause()), e.getCause());
            }
        }
        return out;
    }

    private static boolean failoverWorthy(ErrorCode code) {
        return code.retriable() || code == ErrorCode.SEGMENT_NOT_FOUND || code == ErrorCode.CHANNEL_NOT_AVAILABLE
                || code == ErrorCode.NODE_NOT_AVAILABLE || code == ErrorCode.NODE_NOT_FOUND;
    }

    /**
     * {@link #callWithFailover} on the cached leaders; when every one of them failed, once more on leaders fetched
     * fresh from querycoord if they name other nodes (a leader released after a move or a node's exit while this
     * proxy still had it cached).
     */
    private <T> T callWithRefresh(CollectionInfo c, String vchannel, List<ShardLeader> candidates,
                                  java.util.function.BiFunction<String, String, T> call, java.util.function.Function<T, io.milvus.grpc.Status> statusOf) {
        try {
            return callWithFailover(c, vchannel, candidates, call, statusOf);
        } catch (QuiverException e) {
            if (e.errorCode() != ErrorCode.NODE_NOT_AVAILABLE || io.grpc.Context.current().isCancelled()) {
                throw e;
            }
            meta.invalidateLeaders(c.getCollectionId());
            List<ShardLeader> fresh = selector.order(leaders(c), vchannel, vchannel);
            Set<String> before = new HashSet<>();
            candidates.forEach(l -> before.add(l.getAddress()));
            if (fresh.isEmpty() || fresh.stream().allMatch(l -> before.contains(l.getAddress()))) {
                throw e;
            }
            return callWithFailover(c, vchannel, fresh, call, statusOf);
        }
    }

    private <T> T callWithFailover(CollectionInfo c, String vchannel, List<ShardLeader> candidates,
                                   java.util.function.BiFunction<String, String, T> call, java.util.function.Function<T, io.milvus.grpc.Status> statusOf) {
        String last = "";
        long backoff = 20;
        int attempts = candidates.size() + 1;
        for (int i = 0; i < attempts; i++) {
            String addr = candidates.get(i % candidates.size()).getAddress();
            selector.begin(addr);
            try {
                T r = call.apply(addr, vchannel);
                io.milvus.grpc.Status st = statusOf.apply(r);
                if (Statuses.isOk(st)) {
                    return r;
                }
                QuiverException q = Statuses.toException(st);
                if (!failoverWorthy(q.errorCode())) {
                    throw q;
                }
                last = q.getMessage();
            } catch (io.grpc.StatusRuntimeException e) {
                if (e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED || e.getStatus().getCode() == io.grpc.Status.Code.CANCELLED) {
                    throw new QuiverException(ErrorCode.TIMEOUT, "shard " + vchannel + ": " + e.getMessage());
                }
                last = e.getMessage();
            } finally {
                selector.end(addr);
            }
            selector.markBad(addr);
            if (io.grpc.Context.current().isCancelled()) {
                break;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff = Math.min(200, backoff * 2);
        }
        meta.invalidateLeaders(c.getCollectionId());
        throw new QuiverException(ErrorCode.NODE_NOT_AVAILABLE, "every replica of shard " + vchannel + " failed, last: " + last);
    }


    private static SearchResults buildSearchResults(CollectionInfo c, ShardSearchResponse merged, int nq, int topk, int offset,
                                                    int round, Set<String> outNames, long sessionTs) {
        SearchResultData.Builder d = SearchResultData.newBuilder().setNumQueries(nq).setTopK(topk)
                .setPrimaryFieldName(Schemas.primaryKey(c.getSchema()).getName()).addAllOutputFields(outNames);
        List<Integer> partOf = new ArrayList<>();
        List<Integer> rowOf = new ArrayList<>();
        int pos = 0;
        for (int q = 0; q < nq; q++) {
            int n = (int) merged.getTopks(q);
            int kept = 0;
            for (int i = offset; i < n && kept < topk; i++, kept++) {
                partOf.add(0);
                rowOf.add(pos + i);
                float s = merged.getScores(pos + i);
                if (round >= 0) {
                    double f = Math.pow(10, round);
                    s = (float) (Math.round(s * f) / f);
                }
                d.addScores(s);
            }
            d.addTopks(kept);
            pos += n;
        }
        int total = partOf.size();
        int[] po = new int[total];
        int[] ro = rowOf.stream().mapToInt(Integer::intValue).toArray();
        if (total > 0) {
            d.setIds(io.quiver.common.column.FieldDatas.gatherIds(List.of(merged.getIds()), po, ro, total));
        }
        for (FieldData fd : merged.getFieldsDataList()) {
            d.addFieldsData(io.quiver.common.column.FieldDatas.gather(List.of(fd), po, ro, total));
        }
        return SearchResults.newBuilder().setStatus(Statuses.success()).setResults(d).setCollectionName(c.getName()).setSessionTs(sessionTs).build();
    }

    public QueryResults query(String db, QueryRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        CollectionSchema schema = c.getSchema();
        Map<String, String> p = Params.flatten(req.getQueryParamsList());
        long limit = param(p, "limit", -1);
        long offset = param(p, "offset", 0);
        boolean count = req.getOutputFieldsList().stream().anyMatch(f -> f.trim().equalsIgnoreCase("count(*)"));
        if (count && req.getOutputFieldsCount() > 1) {
            throw QuiverException.invalid("count entities with pagination is not allowed");
        }
        if (!count && req.getExpr().isBlank() && limit <= 0) {
            throw QuiverException.invalid("empty expression should be used with limit");
        }
        if (limit > 0 && offset + limit > maxTopK) {
            throw QuiverException.invalid("invalid max query result window, (offset+limit) should be in range [1, %d], but got %d", maxTopK, offset + limit);
        }
        if (offset < 0) {
            throw QuiverException.invalid("offset [%d] is invalid, it should be >= 0", offset);
        }
        ShardLeadersResponse leaders = leaders(c);
        List<Long> partitionIds = partitionIds(c, req.getPartitionNamesList(), leaders.getLoadedPartitionIdsList());
        PlanExpr filter = ExprPlanner.plan(req.getExpr(), schema, req.getExprTemplateValuesMap());
        partitionIds = pruneByPartitionKey(c, filter, partitionIds, req.getPartitionNamesCount() > 0);
        Set<String> outNames = new LinkedHashSet<>();
        List<FieldSchema> out = count ? List.of() : outputFields(schema, req.getOutputFieldsList().isEmpty() ? List.of("*") : req.getOutputFieldsList(), outNames);
        FieldSchema pk = Schemas.primaryKey(schema);
        if (!count && out.stream().noneMatch(f -> f.getFieldID() == pk.getFieldID())) {
            out = new ArrayList<>(out);
            out.add(0, pk);
            outNames.add(pk.getName());
        }
        ReadTs ts = consistency(c, req.getUseDefaultConsistency(), req.getConsistencyLevel(), req.getGuaranteeTimestamp());
        if (Boolean.parseBoolean(p.getOrDefault("iterator", "false"))) {
            // query iterator: the first page reads a fresh snapshot and returns its timestamp as session_ts; every
            // later page reads at exactly that timestamp, so all pages are one snapshot (each waits for tSafe to
            // pass it: a snapshot complete at the first page stays the same on every page)
            long given = req.getGuaranteeTimestamp();
            ts = ReadTs.snapshotAt(given > 2 ? given : timestamps.now());
        }
        QueryPlan plan = QueryPlan.newBuilder().setCollectionId(c.getCollectionId()).addAllPartitionIds(partitionIds).setFilter(filter)
                .addAllOutputFieldIds(out.stream().map(FieldSchema::getFieldID).toList())
                .setLimit(limit > 0 ? offset + limit : -1).setCountOnly(count)
                .setGuaranteeTs(ts.guaranteeTs()).setMvccTs(ts.mvccTs()).setStrong(ts.strong()).setExpireTs(ttl.expireTs(c))
                .setIgnoreGrowing(Boolean.parseBoolean(p.getOrDefault("ignore_growing", "false")))
                .addAllScalarIndexFieldIds(scalarIndexedFields(c)).build();
        ShardQueryResponse merged = QueryReduce.merge(queryShards(c, leaders, plan), count, plan.getLimit());
        QueryResults.Builder r = QueryResults.newBuilder().setStatus(Statuses.success()).setCollectionName(c.getName())
                .setPrimaryFieldName(pk.getName()).setSessionTs(ts.guaranteeTs());
        if (count) {
            return r.addFieldsData(FieldData.newBuilder().setType(DataType.Int64).setFieldName("count(*)")
                    .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addData(merged.getCount())))).addOutputFields("count(*)").build();
        }
        int n = (int) merged.getCount();
        int from = (int) Math.min(offset, n);
        int[] rows = new int[n - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        int[] zero = new int[rows.length];
        for (int i = 0; i < out.size(); i++) {
            FieldData fd = i < merged.getFieldsDataCount() ? merged.getFieldsData(i)
                    : io.quiver.common.column.FieldColumn.create(out.get(i)).toFieldData(out.get(i).getName(), new int[0], 0);
            r.addFieldsData(io.quiver.common.column.FieldDatas.gather(List.of(fd), zero, rows, rows.length));
        }
        return r.addAllOutputFields(outNames).build();
    }

    private List<ShardQueryResponse> queryShards(CollectionInfo c, ShardLeadersResponse leaders, QueryPlan plan) {
        return callShards(c, leaders, (addr, vchannel) -> clients.queryNode(addr)
                .query(ShardQueryRequest.newBuilder().setPlan(plan).setVchannel(vchannel).build()), ShardQueryResponse::getStatus);
    }

    /** With a partition key, a filter that pins the key narrows the search to the partitions its values hash to. */
    private static List<Long> pruneByPartitionKey(CollectionInfo c, PlanExpr filter, List<Long> partitionIds, boolean explicit) {
        FieldSchema key = c.getSchema().getFieldsList().stream().filter(FieldSchema::getIsPartitionKey).findFirst().orElse(null);
        if (key == null || explicit) {
            return partitionIds;
        }
        var pruned = PartitionKeys.prune(filter, key, c.getPartitionsCount());
        if (pruned.isEmpty()) {
            return partitionIds;
        }
        List<Long> out = new ArrayList<>();
        for (int i : pruned.get()) {
            long id = c.getPartitions(i).getPartitionId();
            if (partitionIds.isEmpty() || partitionIds.contains(id)) {
                out.add(id);
            }
        }
        return out.isEmpty() ? List.of(-1L) : out; // -1: no partition can match; searches nothing
    }

    /** The metric a (sub-)search uses: given, else the index's (for its anns field). */
    String metricFor(CollectionInfo c, Map<String, String> searchParams) {
        String anns = searchParams.getOrDefault("anns_field", "");
        List<FieldSchema> vectors = Schemas.vectorFields(c.getSchema());
        FieldSchema field = anns.isBlank() ? vectors.get(0) : Schemas.byName(c.getSchema(), anns).orElse(vectors.get(0));
        return metricOf(c, field, searchParams.get("metric_type"));
    }

    /** Rows by primary key with output fields (hybrid search's fetch of the fused hits), read Strong. */
    QueryResults rowsByPrimaryKeys(String db, CollectionInfo c, IDs ids, List<String> outputFields, List<String> partitions) {
        FieldSchema pk = Schemas.primaryKey(c.getSchema());
        io.quiver.proto.plan.TermExpr.Builder term = io.quiver.proto.plan.TermExpr.newBuilder().setColumnInfo(
                io.quiver.proto.plan.ColumnInfo.newBuilder().setFieldId(pk.getFieldID()).setDataType(pk.getDataType()).setIsPrimaryKey(true));
        for (int i = 0; i < io.quiver.common.column.FieldDatas.idCount(ids); i++) {
            Object k = io.quiver.common.column.FieldDatas.id(ids, i);
            term.addValues(k instanceof Long l ? io.quiver.proto.plan.GenericValue.newBuilder().setInt64Val(l).build()
                    : io.quiver.proto.plan.GenericValue.newBuilder().setStringVal((String) k).build());
        }
        ShardLeadersResponse leaders = leaders(c);
        Set<String> outNames = new LinkedHashSet<>();
        List<FieldSchema> out = new ArrayList<>(outputFields(c.getSchema(), outputFields, outNames));
        if (out.stream().noneMatch(f -> f.getFieldID() == pk.getFieldID())) {
            out.add(0, pk);
            outNames.add(pk.getName());
        }
        ReadTs ts = ReadTs.strongAt(timestamps.now());
        QueryPlan plan = QueryPlan.newBuilder().setCollectionId(c.getCollectionId())
                .addAllPartitionIds(partitionIds(c, partitions, leaders.getLoadedPartitionIdsList()))
                .setFilter(PlanExpr.newBuilder().setTermExpr(term)).addAllOutputFieldIds(out.stream().map(FieldSchema::getFieldID).toList())
                .setLimit(-1).setGuaranteeTs(ts.guaranteeTs()).setMvccTs(ts.mvccTs()).setStrong(ts.strong()).setExpireTs(ttl.expireTs(c)).build();
        ShardQueryResponse merged = QueryReduce.merge(queryShards(c, leaders, plan), false, -1);
        QueryResults.Builder r = QueryResults.newBuilder().setStatus(Statuses.success()).addAllOutputFields(outNames);
        for (int i = 0; i < out.size(); i++) {
            r.addFieldsData(i < merged.getFieldsDataCount() ? merged.getFieldsData(i)
                    : io.quiver.common.column.FieldColumn.create(out.get(i)).toFieldData(out.get(i).getName(), new int[0], 0));
        }
        return r.build();
    }

    /**
     * The primary keys matching a filter now (delete by expression). Expired rows match too (no expire_ts): TTL only
     * hides rows, and a delete must still hold when the TTL is lowered or removed.
     */
    IDs primaryKeysMatching(CollectionInfo c, PlanExpr filter, long partitionId) {
        ShardLeadersResponse leaders = leaders(c);
        ReadTs ts = ReadTs.strongAt(timestamps.now());
        QueryPlan plan = QueryPlan.newBuilder().setCollectionId(c.getCollectionId()).setFilter(filter)
                .addAllPartitionIds(partitionId >= 0 ? List.of(partitionId) : leaders.getLoadedPartitionIdsList())
                .setLimit(-1).setGuaranteeTs(ts.guaranteeTs()).setMvccTs(ts.mvccTs()).setStrong(ts.strong()).build();
        ShardQueryResponse merged = QueryReduce.merge(queryShards(c, leaders, plan), false, -1);
        return merged.hasIds() ? merged.getIds() : LocalIds.empty(Schemas.primaryKey(c.getSchema()).getDataType());
    }

    static final class LocalIds {
        static IDs empty(DataType t) {
            return t == DataType.VarChar ? IDs.newBuilder().setStrId(io.milvus.grpc.StringArray.getDefaultInstance()).build()
                    : IDs.newBuilder().setIntId(LongArray.getDefaultInstance()).build();
        }
    }
}
