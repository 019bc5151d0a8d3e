package io.quiver.querynode;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.quiver.common.expr.ExprPlanner;
import io.quiver.common.text.TextIndex;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.plan.PlanExpr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The filter cost of TEXT_MATCH / PHRASE_MATCH on one sealed 100k-row segment, in process: the rows a filter allows
 * ({@link SegmentSearch#allowedRows}, what every search, query and count of the segment computes first), one thread,
 * beside a {@code like '%...%'} scan and an integer range on the same segment. Documents: Debian's package descriptions
 * ({@code apt-cache dumpavail > FILE}, see {@link #descriptions}); analyzer {@code english}. Prints the index build time
 * and memory, then per filter its matching rows, QPS and median latency (every filter is warmed up twice over before
 * any is timed, so the JIT has compiled all paths).
 *
 * <pre>
 * apt-cache dumpavail > /tmp/dumpavail.txt
 * ./mvnw -q -B -pl querynode -am test-compile
 * # then run this class with querynode's test classpath, this checkout's module classes first (docs/benchmarks.md):
 * java -Xmx4g -cp "$CP" io.quiver.querynode.TextMatchBench /tmp/dumpavail.txt 100000 3
 * </pre>
 */
public final class TextMatchBench {
    private static final CollectionSchema SCHEMA = CollectionSchema.newBuilder().setName("bench")
            .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
            .addFields(FieldSchema.newBuilder().setFieldID(101).setName("text").setDataType(DataType.VarChar)
                    .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("65535"))
                    .addTypeParams(KeyValuePair.newBuilder().setKey("enable_analyzer").setValue("true"))
                    .addTypeParams(KeyValuePair.newBuilder().setKey("enable_match").setValue("true"))
                    .addTypeParams(KeyValuePair.newBuilder().setKey("analyzer_params").setValue("{\"type\": \"english\"}")))
            .build();

    private static final List<String> FILTERS = List.of(
            "id < 50000",
            "text like '%python%'",
            "text_match(text, 'python')",
            "text_match(text, 'library')",
            "text_match(text, 'kernel firmware driver')",
            "text_match(text, 'python') and id < 50000",
            "phrase_match(text, 'command line')",
            "phrase_match(text, 'shared library', 2)",
            "phrase_match(text, 'development files for the library')",
            "not text_match(text, 'package')");

    private TextMatchBench() {}

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
        List<String> docs = descriptions(file, rows);
        Segment seg = segment(docs);
        long t0 = System.nanoTime();
        seg.buildTextIndexes();
        long buildNs = System.nanoTime() - t0;
        TextIndex index = seg.textIndex(101, seg.rowCount());
        long textBytes = docs.stream().mapToLong(String::length).sum();
        System.out.printf(Locale.ROOT, "{\"rows\": %d, \"text_chars\": %d, \"build_s\": %.2f, \"terms\": %d, \"index_mb\": %.1f, \"load\": %s}%n",
                seg.rowCount(), textBytes, buildNs / 1e9, index.termCount(), index.ramBytesUsed() / 1048576.0, loadAverage());
        for (int round = 0; round < 2; round++) {
            for (String f : FILTERS) {
                run(seg, ExprPlanner.plan(f, SCHEMA, Map.of()), 1.0);
            }
        }
        for (String f : FILTERS) {
            measure(seg, f, seconds);
        }
    }

    private static void measure(Segment seg, String filter, double seconds) {
        PlanExpr plan = ExprPlanner.plan(filter, SCHEMA, Map.of());
        int n = seg.rowCount();
        int matched = SegmentSearch.allowedRows(seg, n, Long.MAX_VALUE, 0, plan, Set.of()).count();
        long start = System.nanoTime();
        long[] sorted = run(seg, plan, seconds);
        double total = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "{\"filter\": \"%s\", \"matched\": %d, \"qps\": %.0f, \"p50_ms\": %.3f, \"load\": %s}%n",
                filter.replace("\"", "\\\""), matched, sorted.length / total, sorted[sorted.length / 2] / 1e6, loadAverage());
    }

    /** Evaluates the filter for {@code seconds}; the sorted latencies in nanoseconds. */
    private static long[] run(Segment seg, PlanExpr plan, double seconds) {
        int n = seg.rowCount();
        List<Long> lat = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            long s = System.nanoTime();
            SegmentSearch.allowedRows(seg, n, Long.MAX_VALUE, 0, plan, Set.of());
            lat.add(System.nanoTime() - s);
        }
        return lat.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static Segment segment(List<String> docs) {
        LongArray.Builder ids = LongArray.newBuilder();
        StringArray.Builder text = StringArray.newBuilder();
        for (int i = 0; i < docs.size(); i++) {
            ids.addData(i);
            text.addData(docs.get(i));
        }
        Segment seg = new Segment(1, 1, SCHEMA, false);
        seg.append(InsertMsg.newBuilder().setSegmentId(1).setVchannel("v").setTimestamp(1).setNumRows(docs.size())
                .addFieldsData(FieldData.newBuilder().setFieldId(100).setType(DataType.Int64).setScalars(ScalarField.newBuilder().setLongData(ids)))
                .addFieldsData(FieldData.newBuilder().setFieldId(101).setType(DataType.VarChar).setScalars(ScalarField.newBuilder().setStringData(text)))
                .build());
        return seg;
    }

    /**
     * Rows from the package descriptions of an {@code apt-cache dumpavail} file (Debian's Packages files carry the one-line
     * descriptions, about 63k): row i joins description {@code i mod n} and description {@code (7i + 3) mod n}, so
     * {@code limit} rows of real English, about two descriptions long, none repeated.
     */
    static List<String> descriptions(Path file, int limit) throws IOException {
        List<String> d = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("Description:")) {
                d.add(line.substring("Description:".length()).trim());
            }
        }
        List<String> out = new ArrayList<>(limit);
        for (int i = 0; i < limit; i++) {
            out.add(d.get(i % d.size()) + " " + d.get((int) ((7L * i + 3) % d.size())));
        }
        return out;
    }

    private static String loadAverage() {
        try {
            return Arrays.stream(Files.readString(Path.of("/proc/loadavg")).split(" ")).limit(1).findFirst().orElse("0");
        } catch (IOException e) {
            return "0";
        }
    }
}
