package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.IDs;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchIteratorV2Results;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.StringArray;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.error.Statuses;
import io.quiver.common.reduce.QueryReduce;
import io.quiver.common.reduce.SearchReduce;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchResponse;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reduces the shards' answers to a read into the response the SDKs parse (Milvus' proxy {@code task_search.go}
 * PostExecute / reduce): search hits merged by score with each primary key once, then offset, round_decimal, group-by
 * and the v2 iterator's token and bound; query rows merged by primary key, then offset, or the summed count.
 *
 * <p>A collection with one shard (the default) gets one answer that its leader already reduced; it is passed through
 * when it is (per query at most the asked number of hits, no primary key twice: a key inserted twice without upsert
 * can come back twice), and a first page (offset 0, no rounding) reuses the answer's ids and columns instead of
 * gathering them row by row.
 */
final class ResultAssembler {
    /** Below this many hits per query, a pairwise scan finds repeated keys without a hash set. */
    private static final int PAIRWISE_MAX = 32;

    private final Supplier<String> iteratorTokens;

    /** {@code iteratorTokens}: names a new search iteration (random in production). */
    ResultAssembler(Supplier<String> iteratorTokens) {
        this.iteratorTokens = requireNonNull(iteratorTokens, "iteratorTokens is null");
    }

    SearchResults search(CollectionInfo c, ReadPlanner.PlannedSearch s, List<ShardSearchResponse> parts, long sessionTs) {
        ReadPlanner.SearchShape shape = s.shape();
        ShardSearchResponse merged = reduce(parts, shape.nq(), s.candidates(), shape.ascending());
        if (s.group() != null) {
            return s.group().apply(c, merged, shape.nq(), shape.topk(), shape.offset(), s.outputFieldIds(), s.outputNames(),
                    s.askedFields(), sessionTs);
        }
        Set<String> outNames = s.outputNames();
        if (s.starWithDynamic()) {
            outNames = new LinkedHashSet<>(outNames);
            nameDynamicKeys(merged, outNames);
        }
        SearchResultData.Builder d = page(merged, shape.nq(), shape.topk(), shape.offset(), s.roundDecimal())
                .setPrimaryFieldName(Schemas.primaryKey(c.getSchema()).getName()).addAllOutputFields(outNames);
        if (s.iterator() != null) {
            // the token names the iteration (the pages are stateless range searches); last_bound = the page's worst score
            String token = s.iterator().token().isBlank() ? iteratorTokens.get() : s.iterator().token();
            Float previous = s.iterator().lastBound();
            float last = d.getScoresCount() == 0 ? previous == null ? 0f : previous : d.getScores(d.getScoresCount() - 1);
            d.setSearchIteratorV2Results(SearchIteratorV2Results.newBuilder().setToken(token).setLastBound(last));
        }
        return SearchResults.newBuilder().setStatus(Statuses.success()).setResults(d).setCollectionName(c.getName()).setSessionTs(sessionTs).build();
    }

    /** The shards' hits merged: per query the best {@code limit}, each primary key once. */
    static ShardSearchResponse reduce(List<ShardSearchResponse> parts, int nq, int limit, boolean ascending) {
        if (parts.size() == 1 && isReduced(parts.get(0), nq, limit)) {
            return parts.get(0);
        }
        return SearchReduce.merge(parts, nq, limit, ascending);
    }

    /** Whether one answer is already what merging it alone would give. */
    static boolean isReduced(ShardSearchResponse r, int nq, int limit) {
        if (r.getNq() != nq || r.getTopksCount() != nq) {
            return false;
        }
        IDs ids = r.getIds();
        int pos = 0;
        for (int q = 0; q < nq; q++) {
            long n = r.getTopks(q);
            if (n > limit || !distinct(ids, pos, (int) n)) {
                return false;
            }
            pos += (int) n;
        }
        if (FieldDatas.idCount(ids) != pos || r.getScoresCount() != pos) {
            return false;
        }
        for (FieldData fd : r.getFieldsDataList()) {
            if (FieldDatas.rows(fd) != pos) {
                return false;
            }
        }
        return true;
    }

    private static boolean distinct(IDs ids, int from, int n) {
        if (ids.hasStrId()) {
            StringArray keys = ids.getStrId();
            Set<String> seen = new HashSet<>();
            for (int i = from; i < from + n; i++) {
                if (!seen.add(keys.getData(i))) {
                    return false;
                }
            }
            return true;
        }
        LongArray keys = ids.getIntId();
        if (n <= PAIRWISE_MAX) {
            for (int i = from; i < from + n; i++) {
                long k = keys.getData(i);
                for (int j = from; j < i; j++) {
                    if (keys.getData(j) == k) {
                        return false;
                    }
                }
            }
            return true;
        }
        Set<Long> seen = new HashSet<>();
        for (int i = from; i < from + n; i++) {
            if (!seen.add(keys.getData(i))) {
                return false;
            }
        }
        return true;
    }

    /** Per query the hits from {@code offset} on, at most {@code topk}, scores rounded to {@code round} decimals if >= 0. */
    static SearchResultData.Builder page(ShardSearchResponse merged, int nq, int topk, int offset, int round) {
        SearchResultData.Builder d = SearchResultData.newBuilder().setNumQueries(nq).setTopK(topk);
        int total = 0;
        for (int q = 0; q < nq; q++) {
            total += (int) Math.max(0, Math.min(topk, merged.getTopks(q) - offset));
        }
        if (offset == 0 && round < 0 && total > 0 && total == merged.getScoresCount()) {
            // every hit stays, in order: the merged columns are the page
            return d.addAllTopks(merged.getTopksList()).addAllScores(merged.getScoresList()).setIds(merged.getIds())
                    .addAllFieldsData(merged.getFieldsDataList());
        }
        int[] parts = new int[total];
        int[] rows = new int[total];
        double scale = round >= 0 ? Math.pow(10, round) : 1;
        int pos = 0;
        int at = 0;
        for (int q = 0; q < nq; q++) {
            int n = (int) merged.getTopks(q);
            int kept = 0;
            for (int i = offset; i < n && kept < topk; i++, kept++) {
                rows[at++] = pos + i;
                float s = merged.getScores(pos + i);
                d.addScores(round >= 0 ? (float) (Math.round(s * scale) / scale) : s);
            }
            d.addTopks(kept);
            pos += n;
        }
        if (total > 0) {
            d.setIds(FieldDatas.gatherIds(List.of(merged.getIds()), parts, rows, total));
        }
        for (FieldData fd : merged.getFieldsDataList()) {
            d.addFieldsData(FieldDatas.gather(List.of(fd), parts, rows, total));
        }
        return d;
    }

    /** The SDKs build search entities from output_fields: name the dynamic keys the hits carry, so "*" returns them. */
    private static void nameDynamicKeys(ShardSearchResponse merged, Set<String> outNames) {
        for (FieldData fd : merged.getFieldsDataList()) {
            if (!fd.getIsDynamic()) {
                continue;
            }
            for (ByteString json : fd.getScalars().getJsonData().getDataList()) {
                try {
                    JsonElement o = JsonParser.parseString(json.toStringUtf8());
                    if (o.isJsonObject()) {
                        outNames.addAll(o.getAsJsonObject().keySet());
                    }
                } catch (RuntimeException e) {
                    // not an object: nothing to name
                }
            }
            return;
        }
    }

    QueryResults query(CollectionInfo c, ReadPlanner.PlannedQuery q, List<ShardQueryResponse> parts, long sessionTs) {
        ShardQueryResponse merged = QueryReduce.merge(parts, q.shape().count(), q.plan().getLimit());
        QueryResults.Builder r = QueryResults.newBuilder().setStatus(Statuses.success()).setCollectionName(c.getName())
                .setPrimaryFieldName(Schemas.primaryKey(c.getSchema()).getName()).setSessionTs(sessionTs);
        if (q.shape().count()) {
            return r.addFieldsData(FieldData.newBuilder().setType(DataType.Int64).setFieldName("count(*)")
                    .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addData(merged.getCount())))).addOutputFields("count(*)").build();
        }
        int n = (int) merged.getCount();
        int from = (int) Math.min(q.shape().offset(), n);
        int[] rows = new int[n - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        int[] zero = new int[rows.length];
        List<FieldSchema> out = q.outputs();
        for (int i = 0; i < out.size(); i++) {
            r.addFieldsData(FieldDatas.gather(List.of(column(merged, i, out.get(i))), zero, rows, rows.length));
        }
        return r.addAllOutputFields(q.outputNames()).build();
    }

    /** Rows by primary key (hybrid search's fetch): every merged row, the asked columns. */
    static QueryResults fetched(ReadPlanner.PlannedQuery q, List<ShardQueryResponse> parts) {
        ShardQueryResponse merged = QueryReduce.merge(parts, false, -1);
        QueryResults.Builder r = QueryResults.newBuilder().setStatus(Statuses.success()).addAllOutputFields(q.outputNames());
        List<FieldSchema> out = q.outputs();
        for (int i = 0; i < out.size(); i++) {
            r.addFieldsData(column(merged, i, out.get(i)));
        }
        return r.build();
    }

    /** Column {@code i} of a merged answer; an empty one of the field's type when no shard had rows. */
    private static FieldData column(ShardQueryResponse merged, int i, FieldSchema field) {
        return i < merged.getFieldsDataCount() ? merged.getFieldsData(i) : FieldColumn.create(field).toFieldData(field.getName(), new int[0], 0);
    }

    /** The primary keys of the rows the shards matched (delete by expression); typed empty ids when none. */
    static IDs matchingIds(CollectionInfo c, List<ShardQueryResponse> parts) {
        ShardQueryResponse merged = QueryReduce.merge(parts, false, -1);
        if (merged.hasIds()) {
            return merged.getIds();
        }
        return Schemas.primaryKey(c.getSchema()).getDataType() == DataType.VarChar
                ? IDs.newBuilder().setStrId(StringArray.getDefaultInstance()).build()
                : IDs.newBuilder().setIntId(LongArray.getDefaultInstance()).build();
    }
}
