package io.quiver.common.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class BackgroundPriorityTest {
    /** Field {@code n} (1-based, as proc(5)) of the calling thread's stat, after the parenthesised name. */
    private static int statField(int n) throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(f[n - 3]);
    }

    private static int niceOfCurrentThread() throws Exception {
        return statField(19);
    }

    private static int policyOfCurrentThread() throws Exception {
        return statField(41);
    }

    @Test
    void backgroundThreadsAndTheThreadsTheyStartRunAtTheLowerPriority() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux only");
        var pool = Executors.newSingleThreadExecutor(BackgroundPriority.threads("bg-test"));
        try {
            int[] seen = pool.submit(() -> {
                int nice = niceOfCurrentThread();
                int policy = policyOfCurrentThread();
                CompletableFuture<int[]> child = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try {
                        child.complete(new int[] {niceOfCurrentThread(), policyOfCurrentThread()});
                    } catch (Exception e) {
                        child.completeExceptionally(e);
                    }
                });
                t.start();
                int[] c = child.get();
                return new int[] {nice, policy, c[0], c[1]};
            }).get();
            assumeTrue(seen[0] != 0 || niceOfCurrentThread() != 0, "setpriority unavailable here");
            assertThat(seen[0]).isEqualTo(BackgroundPriority.NICE);
            assertThat(seen[1]).isEqualTo(BackgroundPriority.SCHED_IDLE);
            // an index builder's workers inherit both
            assertThat(seen[2]).isEqualTo(BackgroundPriority.NICE);
            assertThat(seen[3]).isEqualTo(BackgroundPriority.SCHED_IDLE);
            // the caller is untouched
            assertThat(niceOfCurrentThread()).isZero();
            assertThat(policyOfCurrentThread()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
