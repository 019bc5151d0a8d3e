package io.quiver.common.text;

import static java.util.Objects.requireNonNull;

import io.quiver.common.column.StringColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The inverted index of one VARCHAR field with {@code enable_match} in one segment: for every term its rows in
 * ascending order and, per row, the term's analyzer positions (Milvus' tantivy text index with positions). It answers
 * TEXT_MATCH (rows with any query token) and PHRASE_MATCH (tantivy's phrase query, see {@link PhraseMatcher}); the
 * query is analyzed with the same analyzer as the documents.
 *
 * <h2>Layout</h2>
 * One {@link Postings} per term, three primitive arrays: row ids, the end of each row's positions, positions (about
 * 12 bytes per distinct (term, row) plus 4 per further occurrence); nothing is boxed per posting.
 *
 * <h2>Growth and concurrency</h2>
 * Rows are indexed in order by {@link #catchUp} (a growing segment calls it when a filter needs rows the index has
 * not seen; a sealed segment once at load, then {@link #trim}). Writers hold the write lock, queries the read lock;
 * a query reads only rows below the row count it is given, so rows indexed after its snapshot are ignored.
 */
public final class TextIndex {
    private final Analyzer analyzer;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    // guarded by lock
    private final Map<String, Postings> terms = new HashMap<>();
    private volatile int indexedRows;

    public TextIndex(Analyzer analyzer) {
        this.analyzer = requireNonNull(analyzer, "analyzer is null");
    }

    /** An index over the first {@code rows} rows of a column. */
    public static TextIndex build(Analyzer analyzer, StringColumn column, int rows) {
        TextIndex index = new TextIndex(analyzer);
        index.catchUp(column, rows);
        index.trim();
        return index;
    }

    public int indexedRows() {
        return indexedRows;
    }

    /** Indexes the rows in [indexedRows, rows) of the column (null rows have no tokens). */
    public void catchUp(StringColumn column, int rows) {
        if (indexedRows >= rows) {
            return;
        }
        lock.writeLock().lock();
        try {
            for (int row = indexedRows; row < rows; row++) {
                String text = column.isNull(row) ? null : column.get(row);
                if (text != null && !text.isEmpty()) {
                    for (AnalyzerToken t : analyzer.analyze(text)) {
                        terms.computeIfAbsent(t.text(), k -> new Postings()).add(row, t.position());
                    }
                }
                indexedRows = row + 1;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Shrinks every posting array to its size (a sealed segment's index after its one build). */
    public void trim() {
        lock.writeLock().lock();
        try {
            for (Postings p : terms.values()) {
                p.trim();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Sets in {@code out} the rows below {@code rows} that hold any token of {@code query} (TEXT_MATCH). */
    public void matchAny(String query, int rows, long[] out) {
        Set<String> distinct = new LinkedHashSet<>();
        for (AnalyzerToken t : analyzer.analyze(query)) {
            distinct.add(t.text());
        }
        lock.readLock().lock();
        try {
            for (String term : distinct) {
                Postings p = terms.get(term);
                if (p != null) {
                    p.setRows(rows, out);
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Sets in {@code out} the rows below {@code rows} that hold the phrase {@code query} within {@code slop}
     * (PHRASE_MATCH); a query of at most one token acts as {@link #matchAny}, as in Milvus.
     */
    public void matchPhrase(String query, long slop, int rows, long[] out) {
        List<AnalyzerToken> tokens = new ArrayList<>(analyzer.analyze(query));
        if (tokens.size() <= 1) {
            matchAny(query, rows, out);
            return;
        }
        tokens.sort((a, b) -> Integer.compare(a.position(), b.position())); // tantivy orders terms by offset (stable)
        int maxOffset = tokens.getLast().position();
        lock.readLock().lock();
        try {
            Postings[] postings = new Postings[tokens.size()];
            int[] shifts = new int[tokens.size()];
            for (int t = 0; t < postings.length; t++) {
                postings[t] = terms.get(tokens.get(t).text());
                if (postings[t] == null) {
                    return; // a term no row holds: no row holds the phrase
                }
                shifts[t] = maxOffset - tokens.get(t).position();
            }
            new PhraseSearch(postings, shifts, slop).run(rows, out);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Distinct terms indexed. */
    public int termCount() {
        lock.readLock().lock();
        try {
            return terms.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    public long ramBytesUsed() {
        lock.readLock().lock();
        try {
            long b = 64L + 48L * terms.size();
            for (Map.Entry<String, Postings> e : terms.entrySet()) {
                b += 48L + 2L * e.getKey().length() + e.getValue().ramBytesUsed();
            }
            return b;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The rows of one term, ascending, with the term's positions in each row (ascending). */
    static final class Postings {
        int[] rows = new int[2];
        /** posEnd[i]: end (exclusive) of row i's positions in {@link #positions}; row i starts at posEnd[i - 1]. */
        int[] posEnd = new int[2];
        int[] positions = new int[2];
        int size;
        int positionCount;

        void add(int row, int position) {
            if (size == 0 || rows[size - 1] != row) {
                if (size == rows.length) {
                    rows = Arrays.copyOf(rows, size * 2);
                    posEnd = Arrays.copyOf(posEnd, size * 2);
                }
                rows[size] = row;
                posEnd[size] = positionCount;
                size++;
            }
            if (positionCount == positions.length) {
                positions = Arrays.copyOf(positions, positionCount * 2);
            }
            // keep a row's positions ascending (jieba's search mode may emit a word after its parts)
            int i = positionCount;
            int start = start(size - 1);
            while (i > start && positions[i - 1] > position) {
                positions[i] = positions[i - 1];
                i--;
            }
            positions[i] = position;
            positionCount++;
            posEnd[size - 1] = positionCount;
        }

        int start(int entry) {
            return entry == 0 ? 0 : posEnd[entry - 1];
        }

        void setRows(int limit, long[] out) {
            for (int i = 0; i < size; i++) {
                int r = rows[i];
                if (r >= limit) {
                    return;
                }
                out[r >>> 6] |= 1L << r;
            }
        }

        /** The first entry at or after {@code from} whose row is >= {@code row} (galloping, then binary search). */
        int seek(int from, int row) {
            int step = 1;
            int lo = from;
            int hi = from;
            while (hi < size && rows[hi] < row) {
                lo = hi + 1;
                hi += step;
                step <<= 1;
            }
            hi = Math.min(hi, size);
            int idx = Arrays.binarySearch(rows, lo, hi, row);
            return idx >= 0 ? idx : -idx - 1;
        }

        void trim() {
            rows = Arrays.copyOf(rows, size);
            posEnd = Arrays.copyOf(posEnd, size);
            positions = Arrays.copyOf(positions, positionCount);
        }

        long ramBytesUsed() {
            return 40L + 3 * 16L + 4L * (rows.length + posEnd.length + positions.length);
        }
    }

    /** One phrase query over one index snapshot: a row intersection driven by the rarest term, then positions. */
    private static final class PhraseSearch {
        private final Postings[] postings;
        private final int[] shifts;
        private final long slop;
        private final int[] cursors;
        private final int[][] shifted;
        private final int[] lengths;
        private final PhraseMatcher matcher = new PhraseMatcher();

        PhraseSearch(Postings[] postings, int[] shifts, long slop) {
            this.postings = postings;
            this.shifts = shifts;
            this.slop = slop;
            this.cursors = new int[postings.length];
            this.shifted = new int[postings.length][];
            this.lengths = new int[postings.length];
            for (int t = 0; t < postings.length; t++) {
                shifted[t] = new int[8];
            }
        }

        void run(int rows, long[] out) {
            int lead = 0;
            for (int t = 1; t < postings.length; t++) {
                if (postings[t].size < postings[lead].size) {
                    lead = t;
                }
            }
            Postings driver = postings[lead];
            for (int i = 0; i < driver.size; i++) {
                int row = driver.rows[i];
                if (row >= rows) {
                    return;
                }
                if (allHold(row) && matcher.matches(shifted, lengths, slop)) {
                    out[row >>> 6] |= 1L << row;
                }
            }
        }

        /** Whether every term occurs in the row; if so their shifted positions are in {@link #shifted}. */
        private boolean allHold(int row) {
            for (int t = 0; t < postings.length; t++) {
                Postings p = postings[t];
                int c = p.seek(cursors[t], row);
                cursors[t] = c;
                if (c >= p.size || p.rows[c] != row) {
                    return false;
                }
            }
            for (int t = 0; t < postings.length; t++) {
                Postings p = postings[t];
                int c = cursors[t];
                int from = p.start(c);
                int n = p.posEnd[c] - from;
                if (shifted[t].length < n) {
                    shifted[t] = new int[Math.max(n, shifted[t].length * 2)];
                }
                int shift = shifts[t];
                for (int k = 0; k < n; k++) {
                    shifted[t][k] = p.positions[from + k] + shift;
                }
                lengths[t] = n;
            }
            return true;
        }
    }
}
