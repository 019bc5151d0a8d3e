package io.quiver.server.ctl;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The churn client's model of the rows that must be live in the collection: id to version, plus a bounded reservoir
 * of deleted ids (new ids are never reused, so a deleted id must stay absent forever). A row's vector is a pure
 * function of (seed, id, ver), so the model stores no vectors. Not thread-safe: the round loop owns it.
 */
final class LiveRows {
    /** One round's writes: ids to upsert (ver+1), ids to delete (disjoint from the upserts) and new ids to insert. */
    record Plan(long[] upserts, long[] deletes, long[] inserts) {}

    static final int DELETED_RESERVOIR = 10_000;
    private final long seed;
    private final int dim;
    private final Random random;
    private long[] ids = new long[1024];
    private long[] vers = new long[1024];
    private int size;
    private final Map<Long, Integer> position = new HashMap<>();
    private long nextId;
    private long written;
    private final long[] deleted = new long[DELETED_RESERVOIR];
    private long deletedSeen;

    /**
     * @param seed vector seed (also the sampling seed)
     * @param firstId the first id {@link #plan} hands out for inserts
     */
    LiveRows(long seed, int dim, long firstId) {
        this.seed = seed;
        this.dim = dim;
        this.random = new Random(seed);
        this.nextId = firstId;
    }

    int size() {
        return size;
    }

    /** Rows sent to the server so far (inserts and upserts). */
    long written() {
        return written;
    }

    boolean contains(long id) {
        return position.containsKey(id);
    }

    /** The latest version of a live id; IllegalArgumentException when it is not live. */
    long version(long id) {
        Integer p = position.get(id);
        if (p == null) {
            throw new IllegalArgumentException("id " + id + " is not live");
        }
        return vers[p];
    }

    /** The next {@code n} new ids (reserved: a later call hands out others). */
    long[] newIds(int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = nextId++;
        }
        return out;
    }

    /** Picks the next round: {@code pct} of the current live rows each, upserts and deletes distinct, inserts new. */
    Plan plan(double upsertPct, double deletePct, double insertPct) {
        int up = (int) Math.round(size * upsertPct / 100);
        int del = (int) Math.round(size * deletePct / 100);
        long[] picked = sampleLive(up + del);
        return new Plan(Arrays.copyOfRange(picked, 0, up), Arrays.copyOfRange(picked, up, picked.length),
                newIds((int) Math.round(size * insertPct / 100)));
    }

    /** Records new ids as live with version 0. */
    void inserted(long[] newIds) {
        for (long id : newIds) {
            if (position.containsKey(id)) {
                throw new IllegalArgumentException("id " + id + " is already live");
            }
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
                vers = Arrays.copyOf(vers, size * 2);
            }
            ids[size] = id;
            vers[size] = 0;
            position.put(id, size++);
        }
        written += newIds.length;
    }

    /** Records an upsert of live ids: each gets version + 1 (and so a new vector). */
    void upserted(long[] upserts) {
        for (long id : upserts) {
            Integer p = position.get(id);
            if (p == null) {
                throw new IllegalArgumentException("id " + id + " is not live");
            }
            vers[p]++;
        }
        written += upserts.length;
    }

    /** Records deletes: swap-remove from the live arrays and keep a uniform reservoir sample of deleted ids. */
    void deleted(long[] deletes) {
        for (long id : deletes) {
            Integer p = position.remove(id);
            if (p == null) {
                throw new IllegalArgumentException("id " + id + " is not live");
            }
            int last = --size;
            if (p != last) {
                ids[p] = ids[last];
                vers[p] = vers[last];
                position.put(ids[p], p);
            }
            long k = deletedSeen++;
            if (k < deleted.length) {
                deleted[(int) k] = id;
            } else {
                long j = (long) (random.nextDouble() * (k + 1));
                if (j < deleted.length) {
                    deleted[(int) j] = id;
                }
            }
        }
    }

    /** Up to {@code n} distinct live ids, uniformly at random. */
    long[] sampleLive(int n) {
        return sample(ids, size, n);
    }

    /** Up to {@code n} distinct ids deleted at some point, uniformly from the reservoir. */
    long[] sampleDeleted(int n) {
        return sample(deleted, (int) Math.min(deletedSeen, deleted.length), n);
    }

    /** Up to {@code n} distinct entries of {@code from}, uniformly at random. */
    long[] pick(long[] from, int n) {
        return sample(from, from.length, n);
    }

    private long[] sample(long[] from, int count, int n) {
        int k = Math.min(n, count);
        Set<Integer> taken = new HashSet<>();
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            int p;
            do {
                p = random.nextInt(count);
            } while (!taken.add(p));
            out[i] = from[p];
        }
        return out;
    }

    /** Every live id (in no particular order). */
    long[] liveIds() {
        return Arrays.copyOf(ids, size);
    }

    /** The vector of a live id at its latest version. */
    float[] vector(long id) {
        return vector(id, version(id));
    }

    /** The vector of (id, ver): uniform in [-1, 1) per component, a pure function of (seed, id, ver). */
    float[] vector(long id, long ver) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + id * 0xC2B2AE3D27D4EB4FL + ver);
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** A fresh random query vector (for the QPS phase), from the model's seeded source. */
    float[] randomVector() {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }
}
