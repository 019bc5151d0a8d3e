package io.quiver.common.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class BackgroundPriorityTest {
    /** The nice value of the calling thread, from /proc (field 19 of stat, after the parenthesised name). */
    private static int niceOfCurrentThread() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(f[16]);
    }

    @Test
    void backgroundThreadsAndTheThreadsTheyStartRunAtTheLowerPriority() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux only");
        var pool = Executors.newSingleThreadExecutor(BackgroundPriority.threads("bg-test"));
        try {
            int[] nice = pool.submit(() -> {
                int own = niceOfCurrentThread();
                CompletableFuture<Integer> child = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try {
                        child.complete(niceOfCurrentThread());
                    } catch (Exception e) {
                        child.completeExceptionally(e);
                    }
                });
                t.start();
                return new int[] {own, child.get()};
            }).get();
            assumeTrue(nice[0] != 0 || niceOfCurrentThread() != 0, "setpriority unavailable here");
            assertThat(nice[0]).isEqualTo(BackgroundPriority.NICE);
            assertThat(nice[1]).isEqualTo(BackgroundPriority.NICE); // an index builder's workers inherit it
            assertThat(niceOfCurrentThread()).isZero(); // the caller is untouched
        } finally {
            pool.shutdownNow();
        }
    }
}
