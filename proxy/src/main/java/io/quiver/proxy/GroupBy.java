package io.quiver.proxy;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.ShardSearchResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Grouping search ({@code group_by_field}, {@code group_size}, {@code strict_group_size}): per query, the best
 * {@code topk} distinct values of a scalar field, each with up to {@code group_size} hits, groups ordered by their
 * best hit. Shards return an enlarged candidate list ({@link #candidates()}); groups are formed on the merged
 * list. With {@code strict_group_size} a group that could not be filled from the candidates is dropped.
 */
record GroupBy(FieldSchema field, int groupSize, boolean strict, int candidates) {

    static GroupBy of(CollectionSchema schema, Map<String, String> p, int groups, int maxTopK) {
        String name = p.get("group_by_field");
        if (name == null || name.isBlank()) {
            return null;
        }
        FieldSchema f = Schemas.byName(schema, name).orElseThrow(() -> new QuiverException(ErrorCode.FIELD_NOT_FOUND,
                "group by field " + name + " not exist"));
        switch (f.getDataType()) {
            case Bool, Int8, Int16, Int32, Int64, VarChar, String -> { }
            default -> throw QuiverException.invalid("unsupported data type %s for group by operator", f.getDataType());
        }
        int size = Integer.parseInt(p.getOrDefault("group_size", "1").trim());
        if (size < 1 || size > 1024) {
            throw QuiverException.invalid("group_size should be in range [1, 1024], got %d", size);
        }
        if ((long) groups * size > maxTopK) {
            throw QuiverException.invalid("(topk * group_size) should be <= %d, got %d", maxTopK, (long) groups * size);
        }
        boolean strict = Boolean.parseBoolean(p.getOrDefault("strict_group_size", "false"));
        int candidates = (int) Math.min(maxTopK, Math.max((long) groups * size * 4L, 256L));
        return new GroupBy(f, size, strict, candidates);
    }

    SearchResults apply(CollectionInfo c, ShardSearchResponse merged, int nq, int topk, int offset, List<Long> outFieldIds,
                        Set<String> outNames, List<String> asked, long sessionTs) {
        int groupCol = outFieldIds.indexOf(field.getFieldID());
        FieldData values = merged.getFieldsData(groupCol);
        List<Integer> rows = new ArrayList<>();
        List<Long> topks = new ArrayList<>();
        int pos = 0;
        for (int q = 0; q < nq; q++) {
            int n = (int) merged.getTopks(q);
            Map<Object, List<Integer>> groups = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                Object v = value(values, pos + i);
                List<Integer> g = groups.get(v);
                if (g == null) {
                    if (groups.size() >= offset + topk) {
                        continue;
                    }
                    g = new ArrayList<>();
                    groups.put(v, g);
                }
                if (g.size() < groupSize) {
                    g.add(pos + i);
                }
            }
            long kept = 0;
            int idx = 0;
            for (List<Integer> g : groups.values()) {
                if (strict && g.size() < groupSize) {
                    continue;
                }
                if (idx++ < offset) {
                    continue;
                }
                rows.addAll(g);
                kept += g.size();
            }
            topks.add(kept);
            pos += n;
        }
        int total = rows.size();
        int[] part = new int[total];
        int[] row = rows.stream().mapToInt(Integer::intValue).toArray();
        SearchResultData.Builder d = SearchResultData.newBuilder().setNumQueries(nq).setTopK(topk).addAllTopks(topks)
                .setPrimaryFieldName(Schemas.primaryKey(c.getSchema()).getName()).addAllOutputFields(outNames)
                .setIds(FieldDatas.gatherIds(List.of(merged.getIds()), part, row, total))
                .setGroupByFieldValue(FieldDatas.gather(List.of(values), part, row, total));
        for (int r : row) {
            d.addScores(merged.getScores(r));
        }
        boolean groupAsked = asked.contains(field.getName()) || asked.contains("*");
        for (int i = 0; i < merged.getFieldsDataCount(); i++) {
            if (i == groupCol && !groupAsked) {
                continue;
            }
            d.addFieldsData(FieldDatas.gather(List.of(merged.getFieldsData(i)), part, row, total));
        }
        return SearchResults.newBuilder().setStatus(Statuses.success()).setResults(d).setCollectionName(c.getName()).setSessionTs(sessionTs).build();
    }

    private Object value(FieldData fd, int i) {
        var s = fd.getScalars();
        if (fd.getValidDataCount() > 0 && !fd.getValidData(i)) {
            return "\u0000null";
        }
        return switch (field.getDataType()) {
            case Bool -> s.getBoolData().getData(i);
            case Int8, Int16, Int32 -> (long) s.getIntData().getData(i);
            case Int64 -> s.getLongData().getData(i);
            default -> s.getStringData().getData(i);
        };
    }

    static boolean isGroupable(DataType t) {
        return t != DataType.JSON && t != DataType.Array && !Schemas.isVector(t);
    }
}
