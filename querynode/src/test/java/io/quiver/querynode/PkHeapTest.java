package io.quiver.querynode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PkHeapTest {
    @Test
    void keepsTheSmallestLongKeysInOrder() {
        Random r = new Random(7);
        for (int cap : new int[] {0, 1, 5, 100, 5000}) {
            LocalSearcher.PkHeap heap = new LocalSearcher.PkHeap(cap);
            List<long[]> all = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                long pk = r.nextInt(1_000_000);
                heap.offer(pk, i % 3, i);
                all.add(new long[] {pk, i % 3, i});
            }
            all.sort((a, b) -> Long.compare(a[0], b[0]));
            List<long[]> got = heap.sortedRows();
            assertEquals(Math.min(cap, all.size()), got.size());
            for (int i = 0; i < got.size(); i++) {
                long[] want = all.get(i);
                assertEquals(want[0], pkOf(all, got.get(i)), "rank " + i + " with cap " + cap);
            }
        }
    }

    @Test
    void keepsTheSmallestStringKeysInOrder() {
        Random r = new Random(11);
        LocalSearcher.PkHeap heap = new LocalSearcher.PkHeap(50);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String pk = "k" + r.nextInt(100_000);
            keys.add(pk);
            heap.offer(pk, 0, i);
        }
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort(null);
        List<long[]> got = heap.sortedRows();
        assertEquals(50, got.size());
        for (int i = 0; i < 50; i++) {
            assertEquals(sorted.get(i), keys.get((int) got.get(i)[1]));
        }
    }

    private static long pkOf(List<long[]> all, long[] segRow) {
        for (long[] x : all) {
            if (x[1] == segRow[0] && x[2] == segRow[1]) {
                return x[0];
            }
        }
        throw new AssertionError("row not offered");
    }
}
