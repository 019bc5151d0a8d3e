package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.quiver.common.error.QuiverException;
import io.quiver.common.reduce.SearchReduce;
import io.quiver.common.schema.Placeholders;
import io.quiver.common.text.Analyzer;
import io.quiver.common.text.Bm25Function;
import io.quiver.common.text.TermCounts;
import io.quiver.index.SparseVectors;
import io.quiver.proto.Bm25Stats;
import io.quiver.proto.Bm25StatsRequest;
import io.quiver.proto.SearchPlan;
import io.quiver.proto.ShardSearchResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Search by raw text on a BM25 function's output field, in two steps over the same shards: first the statistics of
 * the query terms (rows read, their summed length, each term's document frequency, summed over every segment of every
 * shard, growing and sealed, deletes and MVCC respected), then the search itself with each query turned into term
 * weights {@code count x ln(1 + (N - n + 0.5) / (n + 0.5))} and the average length {@code max(1, total / N)}, so a
 * row's score is Okapi BM25 over the collection's live rows. (Milvus 2.5 takes the statistics per shard; with one
 * shard, its default, the two agree.)
 */
final class Bm25Search {
    private final Bm25Texts texts;

    Bm25Search(Bm25Texts texts) {
        this.texts = requireNonNull(texts, "texts is null");
    }

    /** The query texts of a plan's placeholder group (type VarChar), validated. */
    static List<String> queryTexts(SearchPlan plan, String field) {
        PlaceholderValue pv = Placeholders.single(plan.getPlaceholderGroup());
        if (pv.getType() != PlaceholderType.VarChar) {
            throw QuiverException.invalid("please provide varchar/text for BM25 Function based search on field %s, got placeholder type %s",
                    field, pv.getType());
        }
        return pv.getValuesList().stream().map(Bm25Search::utf8).toList();
    }

    private static String utf8(ByteString b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b.asReadOnlyByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw QuiverException.invalid("a BM25 search text is not valid UTF-8");
        }
    }

    /**
     * The plan of the search proper: {@code shards} answers a plan (here the statistics step) from every shard; the
     * returned plan carries sparse query weights, metric BM25 and {@code bm25_avgdl}, and the index's {@code bm25_k1}
     * and {@code bm25_b} unless the search gives them.
     */
    SearchPlan weigh(Bm25Function f, SearchPlan plan, Map<String, String> indexParams,
                     Function<SearchPlan, List<ShardSearchResponse>> shards) {
        Analyzer analyzer = texts.analyzer(f);
        List<String> queries = queryTexts(plan, f.output().getName());
        TermCounts[] counts = new TermCounts[queries.size()];
        int[] all = new int[0];
        for (int q = 0; q < counts.length; q++) {
            counts[q] = TermCounts.of(analyzer, queries.get(q));
            all = union(all, counts[q].terms());
        }
        Bm25StatsRequest.Builder ask = Bm25StatsRequest.newBuilder();
        for (int t : all) {
            ask.addTerms(t);
        }
        Bm25Stats stats = SearchReduce.sumBm25Stats(shards.apply(plan.toBuilder().setBm25Stats(ask).build())).getBm25Stats();
        long n = stats.getRows();
        PlaceholderValue.Builder pv = PlaceholderValue.newBuilder().setTag("$0").setType(PlaceholderType.SparseFloatVector);
        for (TermCounts c : counts) {
            pv.addValues(ByteString.copyFrom(weights(c, all, stats, n)));
        }
        double avgdl = n == 0 ? 1 : Math.max(1, stats.getTotalLength() / n);
        SearchPlan.Builder out = plan.toBuilder().setMetricType("BM25")
                .setPlaceholderGroup(PlaceholderGroup.newBuilder().addPlaceholders(pv).build().toByteString()).clearSearchParams();
        for (KeyValuePair kv : plan.getSearchParamsList()) {
            if (!kv.getKey().equals("bm25_avgdl")) {
                out.addSearchParams(kv);
            }
        }
        out.addSearchParams(KeyValuePair.newBuilder().setKey("bm25_avgdl").setValue(Double.toString(avgdl)));
        for (String k : List.of("bm25_k1", "bm25_b")) {
            if (indexParams.containsKey(k) && plan.getSearchParamsList().stream().noneMatch(kv -> kv.getKey().equals(k))) {
                out.addSearchParams(KeyValuePair.newBuilder().setKey(k).setValue(indexParams.get(k)));
            }
        }
        return out.build();
    }

    /** One query's sparse row: each of its terms some live row contains, weighted by count x IDF. */
    static byte[] weights(TermCounts c, int[] all, Bm25Stats stats, long n) {
        ByteBuffer b = ByteBuffer.allocate(8 * c.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < c.size(); i++) {
            long df = stats.getDocFreq(indexOf(all, c.terms()[i]));
            if (df == 0) {
                continue; // no live row has it: it adds nothing to any score
            }
            double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
            b.putInt(c.terms()[i]).putFloat((float) (c.counts()[i] * idf));
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /** Sorted (unsigned) union of two sorted term arrays. */
    static int[] union(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length || j < b.length) {
            int c = i == a.length ? 1 : j == b.length ? -1 : Integer.compareUnsigned(a[i], b[j]);
            if (c == 0) {
                out[k++] = a[i++];
                j++;
            } else if (c < 0) {
                out[k++] = a[i++];
            } else {
                out[k++] = b[j++];
            }
        }
        return Arrays.copyOf(out, k);
    }

    private static int indexOf(int[] sorted, int term) {
        int at = SparseVectors.indexOfUnsigned(sorted, term);
        if (at < 0) {
            throw new IllegalStateException("term " + Integer.toUnsignedString(term) + " not asked");
        }
        return at;
    }
}
