package io.quiver.tests.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The client's model of a collection's live rows (id to the {@code ver} field of its one visible row) for the kill
 * tests, and the check against the server: count(*) (Strong), every id of the covered ranges exactly once at the
 * model's version in chunked queries, deleted and never-acknowledged ids absent, no duplicate in a large-topK search.
 * Schema: id (Int64 primary key), vector (FloatVector, {@link #DIM}), ver (Int64).
 */
final class RowModel {
    static final int DIM = 32;
    static final int CHUNK = 5_000; // rows per write request and per checking query
    static final int SEARCH_TOP_K = 16_384;

    private final String collection;
    private final Map<Long, Long> live = new HashMap<>();
    private final Set<Long> deleted = new HashSet<>();
    /** Id ranges [from, to) the collection may hold rows of: the checks query each. */
    private final List<long[]> ranges = new ArrayList<>();

    RowModel(String collection) {
        this.collection = collection;
    }

    int size() {
        return live.size();
    }

    static float[] vec(long id, long ver) {
        Random r = new Random(id * 7919L + ver * 104729L + 17);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) v[i] = r.nextFloat();
        return v;
    }

    static List<JsonObject> rows(long from, long to, long ver) {
        List<JsonObject> out = new ArrayList<>((int) (to - from));
        for (long id = from; id < to; id++) out.add(row(id, ver));
        return out;
    }

    private static JsonObject row(long id, long ver) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        JsonArray v = new JsonArray();
        for (float f : vec(id, ver)) v.add(f);
        o.add("vector", v);
        o.addProperty("ver", ver);
        return o;
    }

    /** Rows the server acknowledged: they join the model. */
    void acknowledged(long from, long to, long ver) {
        for (long id = from; id < to; id++) live.put(id, ver);
        cover(from, to);
    }

    /** The range [from, to) is checked from now on (e.g. a writer's unacknowledged batches). */
    void cover(long from, long to) {
        if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == from) {
            ranges.get(ranges.size() - 1)[1] = to;
        } else {
            ranges.add(new long[] {from, to});
        }
    }

    /** {@code segments} flushed segments of {@code segmentRows} new rows each (ver 0), from id {@code first}. */
    void insertFlushed(MilvusClientV2 client, long first, int segments, int segmentRows) {
        for (int seg = 0; seg < segments; seg++) {
            for (long from = first + (long) seg * segmentRows; from < first + (long) (seg + 1) * segmentRows; from += CHUNK) {
                long n = client.insert(InsertReq.builder().collectionName(collection).data(rows(from, from + CHUNK, 0)).build()).getInsertCnt();
                assertThat(n).isEqualTo(CHUNK);
                acknowledged(from, from + CHUNK, 0);
            }
            client.flush(FlushReq.builder().collectionNames(List.of(collection)).build());
        }
    }

    /** Upserts a third of the ids in [from, to) (ver 1), deletes a tenth, flushes. */
    void upsertThirdDeleteTenth(MilvusClientV2 client, long from, long to) {
        List<Long> upserts = new ArrayList<>();
        List<Long> deletes = new ArrayList<>();
        for (long id = from; id < to; id++) {
            if (id % 3 == 0) upserts.add(id);
            if (id % 10 == 7) deletes.add(id);
        }
        for (int i = 0; i < upserts.size(); i += CHUNK) {
            List<Long> part = upserts.subList(i, Math.min(upserts.size(), i + CHUNK));
            List<JsonObject> rows = new ArrayList<>(part.size());
            part.forEach(id -> rows.add(row(id, 1)));
            client.upsert(UpsertReq.builder().collectionName(collection).data(rows).build());
            part.forEach(id -> live.put(id, 1L));
        }
        for (int i = 0; i < deletes.size(); i += CHUNK) {
            List<Long> part = deletes.subList(i, Math.min(deletes.size(), i + CHUNK));
            client.delete(DeleteReq.builder().collectionName(collection).ids(new ArrayList<Object>(part)).build());
            part.forEach(id -> {
                live.remove(id);
                deleted.add(id);
            });
        }
        client.flush(FlushReq.builder().collectionNames(List.of(collection)).build());
    }

    /** A batch whose insert was not acknowledged (it failed or was in flight): its rows count if the server kept them. */
    long adopt(MilvusClientV2 client, long from, long to, long ver) {
        cover(from, to);
        long present = 0;
        for (QueryResp.QueryResult q : query(client, from, to)) {
            live.put(((Number) q.getEntity().get("id")).longValue(), ver);
            present++;
        }
        return present;
    }

    long count(MilvusClientV2 client) {
        QueryResp r = client.query(QueryReq.builder().collectionName(collection).filter("").outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        return ((Number) r.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
    }

    private List<QueryResp.QueryResult> query(MilvusClientV2 client, long from, long to) {
        return client.query(QueryReq.builder().collectionName(collection).filter("id >= " + from + " and id < " + to)
                .outputFields(List.of("id", "ver")).consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults();
    }

    /** Checks the server against the model (see the class comment); returns the summary line for the figures. */
    String verify(MilvusClientV2 client, String label) {
        long found = count(client);
        TreeMap<Long, Long> sorted = new TreeMap<>(live);
        List<String> lost = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        long seen = 0;
        for (long[] range : ranges) {
            for (long a = range[0]; a < range[1]; a += CHUNK) {
                long b = Math.min(range[1], a + CHUNK);
                Map<Long, List<Long>> byId = new HashMap<>();
                for (QueryResp.QueryResult q : query(client, a, b)) {
                    long id = ((Number) q.getEntity().get("id")).longValue();
                    byId.computeIfAbsent(id, k -> new ArrayList<>()).add(((Number) q.getEntity().get("ver")).longValue());
                }
                for (var e : byId.entrySet()) {
                    seen += e.getValue().size();
                    Long want = live.get(e.getKey());
                    if (e.getValue().size() > 1) duplicated.add(e.getKey() + "=" + e.getValue());
                    if (want == null) extra.add(e.getKey() + (deleted.contains(e.getKey()) ? "(deleted)" : "") + "=" + e.getValue());
                    else if (e.getValue().stream().anyMatch(v -> !v.equals(want))) stale.add(e.getKey() + "=" + e.getValue() + " want " + want);
                }
                for (var e : sorted.subMap(a, b).entrySet()) {
                    if (!byId.containsKey(e.getKey())) lost.add(e.getKey() + "(ver " + e.getValue() + ")");
                }
            }
        }
        List<Long> hitIds = new ArrayList<>();
        for (SearchResp.SearchResult h : client.search(SearchReq.builder().collectionName(collection).annsField("vector").topK(SEARCH_TOP_K)
                .data(List.of(new FloatVec(vec(424_242, 0)))).searchParams(Map.of("ef", SEARCH_TOP_K))
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0)) {
            hitIds.add(((Number) h.getId()).longValue());
        }
        long hitDuplicates = hitIds.size() - new HashSet<>(hitIds).size();
        List<Long> hitUnknown = hitIds.stream().filter(id -> !live.containsKey(id)).limit(20).toList();
        String summary = String.format("%s: modelRows=%d count=%d rowsQueried=%d lost=%d duplicated=%d staleVersion=%d extra=%d "
                + "searchHits=%d searchDuplicates=%d searchUnknown=%d", label, live.size(), found, seen, lost.size(), duplicated.size(),
                stale.size(), extra.size(), hitIds.size(), hitDuplicates, hitUnknown.size());
        System.out.println("FIGURE compaction-failover " + summary);
        assertThat(lost.subList(0, Math.min(20, lost.size()))).as("%s: acknowledged rows lost (first 20)", label).isEmpty();
        assertThat(duplicated.subList(0, Math.min(20, duplicated.size()))).as("%s: ids with more than one row", label).isEmpty();
        assertThat(stale.subList(0, Math.min(20, stale.size()))).as("%s: ids showing an old version", label).isEmpty();
        assertThat(extra.subList(0, Math.min(20, extra.size()))).as("%s: rows not in the model (deleted or never acknowledged)", label).isEmpty();
        assertThat(found).as("%s: count(*)", label).isEqualTo(live.size());
        assertThat(hitDuplicates).as("%s: duplicate ids in search", label).isZero();
        assertThat(hitUnknown).as("%s: search hits not in the model", label).isEmpty();
        assertThat(hitIds).as("%s: search hits", label).hasSize(Math.min(SEARCH_TOP_K, live.size()));
        return summary;
    }
}
