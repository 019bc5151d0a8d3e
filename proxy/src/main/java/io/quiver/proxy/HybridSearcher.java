package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.IDs;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.schema.Params;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.CollectionInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HybridSearch (DESIGN 11): each sub-search runs as a normal search, then the ranked lists are fused per query —
 * RRF {@code sum 1 / (k + rank)} (k default 60, rank from 1) or weighted {@code sum w_i * norm(score_i)} with
 * Milvus' normalisation (COSINE (1+s)/2, IP 0.5+atan(s)/pi, L2 1-2*atan(d)/pi) — and the output fields of the
 * fused top hits are fetched by primary key.
 */
final class HybridSearcher {
    private final MetaCache meta;
    private final QueryHandler query;

    HybridSearcher(MetaCache meta, QueryHandler query) {
        this.meta = requireNonNull(meta, "meta is null");
        this.query = requireNonNull(query, "query is null");
    }

    SearchResults search(String db, HybridSearchRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        if (req.getRequestsCount() == 0) {
            throw QuiverException.invalid("hybrid search needs at least one sub-request");
        }
        if (req.getRequestsCount() > 1024) {
            throw QuiverException.invalid("too many sub-requests: %d", req.getRequestsCount());
        }
        Map<String, String> rp = Params.flatten(req.getRankParamsList());
        String strategy = rp.getOrDefault("strategy", "rrf").toLowerCase();
        long limit = Long.parseLong(rp.getOrDefault("limit", rp.getOrDefault("topk", "10")));
        long offset = Long.parseLong(rp.getOrDefault("offset", "0"));
        int round = Integer.parseInt(rp.getOrDefault("round_decimal", "-1"));
        if (limit <= 0 || offset < 0 || offset + limit > 16384) {
            throw QuiverException.invalid("(offset+limit) should be in range [1, 16384], got offset %d limit %d", offset, limit);
        }
        double rrfK = 60;
        double[] weights = null;
        boolean normScore = Boolean.parseBoolean(rp.getOrDefault("norm_score", "true"));
        switch (strategy) {
            case "rrf" -> {
                rrfK = Double.parseDouble(rp.getOrDefault("k", "60"));
                if (rrfK <= 0 || rrfK >= 16384) {
                    throw QuiverException.invalid("The rank params k should be in range (0, 16384), got %s", rrfK);
                }
            }
            case "weighted" -> {
                String w = rp.get("weights");
                if (w == null) {
                    throw QuiverException.invalid("weighted ranker needs params.weights");
                }
                JsonArray a = JsonParser.parseString(w).getAsJsonArray();
                if (a.size() != req.getRequestsCount()) {
                    throw QuiverException.invalid("the length of weights param mismatch with ann search requests: want %d, got %d",
                            req.getRequestsCount(), a.size());
                }
                weights = new double[a.size()];
                for (int i = 0; i < a.size(); i++) {
                    weights[i] = a.get(i).getAsDouble();
                    if (weights[i] < 0 || weights[i] > 1) {
                        throw QuiverException.invalid("rank param weight should be in range [0, 1]");
                    }
                }
            }
            default -> throw QuiverException.invalid("unsupported rank type %s", strategy);
        }
        List<SearchResultData> subs = new ArrayList<>();
        List<String> metrics = new ArrayList<>();
        long nq = -1;
        for (SearchRequest sub : req.getRequestsList()) {
            SearchRequest.Builder b = sub.toBuilder().setCollectionName(req.getCollectionName()).setDbName(db)
                    .clearPartitionNames().addAllPartitionNames(req.getPartitionNamesList()).clearOutputFields()
                    .setConsistencyLevel(req.getConsistencyLevel()).setUseDefaultConsistency(req.getUseDefaultConsistency())
                    .setGuaranteeTimestamp(req.getGuaranteeTimestamp());
            SearchResults r = query.search(db, b.build());
            Statuses.check(r.getStatus());
            if (nq >= 0 && r.getResults().getNumQueries() != nq) {
                throw QuiverException.invalid("all sub-requests of a hybrid search must have the same nq");
            }
            nq = r.getResults().getNumQueries();
            subs.add(r.getResults());
            metrics.add(query.metricFor(c, Params.flatten(sub.getSearchParamsList())));
        }
        // fuse per query
        List<Object> keys = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Long> topks = new ArrayList<>();
        for (int q = 0; q < nq; q++) {
            Map<Object, Double> fused = new LinkedHashMap<>();
            for (int i = 0; i < subs.size(); i++) {
                SearchResultData d = subs.get(i);
                int start = 0;
                for (int x = 0; x < q; x++) {
                    start += (int) d.getTopks(x);
                }
                int n = (int) d.getTopks(q);
                for (int j = 0; j < n; j++) {
                    Object pk = FieldDatas.id(d.getIds(), start + j);
                    double add = weights == null ? 1.0 / (rrfK + j + 1)
                            : weights[i] * normalize(metrics.get(i), d.getScores(start + j), normScore);
                    fused.merge(pk, add, Double::sum);
                }
            }
            List<Map.Entry<Object, Double>> sorted = new ArrayList<>(fused.entrySet());
            sorted.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
            long kept = 0;
            for (int j = (int) offset; j < sorted.size() && kept < limit; j++, kept++) {
                keys.add(sorted.get(j).getKey());
                double s = sorted.get(j).getValue();
                if (round >= 0) {
                    double f = Math.pow(10, round);
                    s = Math.round(s * f) / f;
                }
                scores.add((float) s);
            }
            topks.add(kept);
        }
        FieldSchema pk = Schemas.primaryKey(c.getSchema());
        IDs ids = DmlHandler.toIds(keys, pk.getDataType());
        SearchResultData.Builder out = SearchResultData.newBuilder().setNumQueries(nq).setTopK(limit).addAllTopks(topks)
                .addAllScores(scores).setIds(ids).setPrimaryFieldName(pk.getName());
        if (req.getOutputFieldsCount() > 0 && !keys.isEmpty()) {
            QueryResults rows = query.rowsByPrimaryKeys(db, c, ids, req.getOutputFieldsList(), req.getPartitionNamesList());
            Map<Object, Integer> at = new HashMap<>();
            FieldData pkData = rows.getFieldsDataList().stream().filter(f -> f.getFieldName().equals(pk.getName())).findFirst().orElseThrow();
            IDs found = pkData.getScalars().hasLongData()
                    ? IDs.newBuilder().setIntId(pkData.getScalars().getLongData()).build()
                    : IDs.newBuilder().setStrId(pkData.getScalars().getStringData()).build();
            for (int i = 0; i < FieldDatas.idCount(found); i++) {
                at.put(FieldDatas.id(found, i), i);
            }
            int[] part = new int[keys.size()];
            int[] row = new int[keys.size()];
            for (int i = 0; i < keys.size(); i++) {
                Integer r = at.get(keys.get(i));
                if (r == null) {
                    throw QuiverException.of(io.quiver.common.error.ErrorCode.UNEXPECTED, "row %s vanished between search and fetch", keys.get(i));
                }
                row[i] = r;
            }
            for (FieldData fd : rows.getFieldsDataList()) {
                out.addFieldsData(FieldDatas.gather(List.of(fd), part, row, keys.size()));
            }
            out.addAllOutputFields(rows.getOutputFieldsList());
        }
        return SearchResults.newBuilder().setStatus(Statuses.success()).setResults(out).setCollectionName(c.getName()).build();
    }

    static double normalize(String metric, float s, boolean norm) {
        if (!norm) {
            return s;
        }
        return switch (metric) {
            case "COSINE" -> (1 + s) * 0.5;
            case "IP" -> 0.5 + Math.atan(s) / Math.PI;
            case "BM25" -> 2 * Math.atan(s) / Math.PI; // BM25 scores are >= 0: onto [0, 1) as Milvus maps them
            default -> 1.0 - 2 * Math.atan(s) / Math.PI;
        };
    }
}
