package io.quiver.querynode;

/**
 * The best {@code k} (score, tag) pairs of a stream, for one query. "Best" is the smallest score when
 * {@code ascending} (distances) and the largest otherwise (similarities). A binary max-heap on the
 * normalised key; no allocation per offer.
 */
final class TopK {
    private final int k;
    private final boolean ascending;
    private final float[] keys;
    private final long[] tags;
    private int size;

    TopK(int k, boolean ascending) {
        this.k = k;
        this.ascending = ascending;
        this.keys = new float[Math.max(1, k)];
        this.tags = new long[Math.max(1, k)];
    }

    boolean wouldAccept(float score) {
        return size < k || key(score) < keys[0];
    }

    private float key(float score) {
        return ascending ? score : -score;
    }

    void offer(float score, long tag) {
        if (k == 0 || Float.isNaN(score)) {
            return;
        }
        float key = key(score);
        if (size < k) {
            int i = size++;
            keys[i] = key;
            tags[i] = tag;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (keys[p] >= keys[i]) {
                    break;
                }
                swap(i, p);
                i = p;
            }
        } else if (key < keys[0]) {
            keys[0] = key;
            tags[0] = tag;
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                int r = l + 1;
                int m = i;
                if (l < size && keys[l] > keys[m]) m = l;
                if (r < size && keys[r] > keys[m]) m = r;
                if (m == i) {
                    break;
                }
                swap(i, m);
                i = m;
            }
        }
    }

    private void swap(int a, int b) {
        float tk = keys[a];
        keys[a] = keys[b];
        keys[b] = tk;
        long tt = tags[a];
        tags[a] = tags[b];
        tags[b] = tt;
    }

    int size() {
        return size;
    }

    /** Drains best-first into the arrays; returns the count. */
    int drain(float[] scores, long[] outTags) {
        int n = size;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Float.compare(keys[a], keys[b]));
        for (int i = 0; i < n; i++) {
            scores[i] = ascending ? keys[order[i]] : -keys[order[i]];
            outTags[i] = tags[order[i]];
        }
        size = 0;
        return n;
    }
}
