package io.quiver.common.reduce;

import io.milvus.grpc.FieldData;
import io.milvus.grpc.IDs;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.error.Statuses;
import io.quiver.proto.ShardQueryResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges partial query results, each ordered by primary key, into one ordered result: k-way merge, each key
 * once, at most {@code limit} rows (negative: all). Count-only results are summed.
 */
public final class QueryReduce {
    private QueryReduce() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static ShardQueryResponse merge(List<ShardQueryResponse> parts, boolean countOnly, long limit) {
        ShardQueryResponse.Builder out = ShardQueryResponse.newBuilder().setStatus(Statuses.success());
        if (countOnly) {
            return out.setCount(parts.stream().mapToLong(ShardQueryResponse::getCount).sum()).build();
        }
        List<ShardQueryResponse> ok = parts.stream().filter(p -> p.hasIds()).toList();
        if (ok.isEmpty()) {
            return parts.isEmpty() ? out.build() : parts.get(0);
        }
        int[] cursor = new int[ok.size()];
        int[] size = new int[ok.size()];
        for (int p = 0; p < ok.size(); p++) {
            size[p] = FieldDatas.idCount(ok.get(p).getIds());
        }
        List<Integer> partOf = new ArrayList<>();
        List<Integer> rowOf = new ArrayList<>();
        Object last = null;
        long max = limit < 0 ? Long.MAX_VALUE : limit;
        while (partOf.size() < max) {
            int best = -1;
            Comparable bestKey = null;
            for (int p = 0; p < ok.size(); p++) {
                if (cursor[p] < size[p]) {
                    Comparable k = (Comparable) FieldDatas.id(ok.get(p).getIds(), cursor[p]);
                    if (best < 0 || k.compareTo(bestKey) < 0) {
                        best = p;
                        bestKey = k;
                    }
                }
            }
            if (best < 0) {
                break;
            }
            int row = cursor[best]++;
            if (bestKey.equals(last)) {
                continue;
            }
            last = bestKey;
            partOf.add(best);
            rowOf.add(row);
        }
        int n = partOf.size();
        int[] po = partOf.stream().mapToInt(Integer::intValue).toArray();
        int[] ro = rowOf.stream().mapToInt(Integer::intValue).toArray();
        List<IDs> ids = ok.stream().map(ShardQueryResponse::getIds).toList();
        out.setIds(FieldDatas.gatherIds(ids, po, ro, n));
        int fields = ok.get(0).getFieldsDataCount();
        for (int f = 0; f < fields; f++) {
            final int fi = f;
            List<FieldData> fparts = ok.stream().map(r -> r.getFieldsData(fi)).toList();
            out.addFieldsData(FieldDatas.gather(fparts, po, ro, n));
        }
        return out.setCount(n).build();
    }
}
