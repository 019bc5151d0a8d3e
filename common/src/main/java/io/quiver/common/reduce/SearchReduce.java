package io.quiver.common.reduce;

import io.milvus.grpc.FieldData;
import io.milvus.grpc.IDs;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.error.Statuses;
import io.quiver.proto.Bm25Stats;
import io.quiver.proto.ShardSearchResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Merges partial search results (per segment group, per worker, per shard) into one: per query the best
 * {@code topk} hits by score (ascending for distances, descending for similarities), each primary key once
 * (the best-scored copy wins), output fields carried along row by row.
 */
public final class SearchReduce {
    private SearchReduce() {}

    /** The sum of partial BM25 statistics (same terms, same order): rows, lengths and document frequencies add up. */
    public static ShardSearchResponse sumBm25Stats(List<ShardSearchResponse> parts) {
        long rows = 0;
        double length = 0;
        long[] df = null;
        for (ShardSearchResponse p : parts) {
            Bm25Stats s = p.getBm25Stats();
            rows += s.getRows();
            length += s.getTotalLength();
            if (df == null) {
                df = new long[s.getDocFreqCount()];
            }
            for (int i = 0; i < Math.min(df.length, s.getDocFreqCount()); i++) {
                df[i] += s.getDocFreq(i);
            }
        }
        Bm25Stats.Builder out = Bm25Stats.newBuilder().setRows(rows).setTotalLength(length);
        for (long d : df == null ? new long[0] : df) {
            out.addDocFreq(d);
        }
        return ShardSearchResponse.newBuilder().setStatus(Statuses.success()).setBm25Stats(out).build();
    }

    public static ShardSearchResponse merge(List<ShardSearchResponse> parts, int nq, int topk, boolean ascending) {
        List<ShardSearchResponse> ok = parts.stream().filter(p -> p.getNq() > 0).toList();
        ShardSearchResponse.Builder out = ShardSearchResponse.newBuilder().setStatus(Statuses.success()).setNq(nq).setTopk(topk);
        if (ok.isEmpty()) {
            for (int q = 0; q < nq; q++) {
                out.addTopks(0);
            }
            return out.build();
        }
        int[][] offsets = new int[ok.size()][];
        for (int p = 0; p < ok.size(); p++) {
            ShardSearchResponse r = ok.get(p);
            offsets[p] = new int[nq + 1];
            for (int q = 0; q < nq; q++) {
                offsets[p][q + 1] = offsets[p][q] + (q < r.getTopksCount() ? (int) r.getTopks(q) : 0);
            }
        }
        List<Integer> partOf = new ArrayList<>();
        List<Integer> rowOf = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        long searched = 0;
        for (ShardSearchResponse r : ok) {
            searched += r.getSearchedRows();
        }
        for (int q = 0; q < nq; q++) {
            int[] cursor = new int[ok.size()];
            for (int p = 0; p < ok.size(); p++) {
                cursor[p] = offsets[p][q];
            }
            Set<Object> seen = new HashSet<>();
            int taken = 0;
            while (taken < topk) {
                int best = -1;
                float bestScore = 0;
                for (int p = 0; p < ok.size(); p++) {
                    if (cursor[p] < offsets[p][q + 1]) {
                        float s = ok.get(p).getScores(cursor[p]);
                        if (best < 0 || (ascending ? s < bestScore : s > bestScore)) {
                            best = p;
                            bestScore = s;
                        }
                    }
                }
                if (best < 0) {
                    break;
                }
                int row = cursor[best]++;
                Object pk = FieldDatas.id(ok.get(best).getIds(), row);
                if (seen.add(pk)) {
                    partOf.add(best);
                    rowOf.add(row);
                    scores.add(bestScore);
                    taken++;
                }
            }
            out.addTopks(taken);
        }
        int n = partOf.size();
        int[] po = partOf.stream().mapToInt(Integer::intValue).toArray();
        int[] ro = rowOf.stream().mapToInt(Integer::intValue).toArray();
        List<IDs> idParts = ok.stream().map(ShardSearchResponse::getIds).toList();
        out.setIds(FieldDatas.gatherIds(idParts, po, ro, n));
        scores.forEach(out::addScores);
        int fields = ok.get(0).getFieldsDataCount();
        for (int f = 0; f < fields; f++) {
            final int fi = f;
            List<FieldData> fparts = ok.stream().map(r -> r.getFieldsData(fi)).toList();
            out.addFieldsData(FieldDatas.gather(fparts, po, ro, n));
        }
        out.setSearchedRows(searched);
        return out.build();
    }
}
