package io.quiver.common.util;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority of the calling thread (Linux {@code setpriority} on its thread id) for background work —
 * index builds and compactions — so that searches keep the processors when both compete, while background work still
 * takes every idle cycle. Threads the calling thread creates inherit the priority (the index builder's workers).
 *
 * <p>Design: a thread's nice value is the kernel's own fair-share lever (CFS weights: nice 0 = 1024, nice 10 = 110),
 * (nice 19 = 15), so no duty cycle or sleep is needed and nothing is slowed when the machine is idle. Java thread priorities are
 * ignored on Linux, hence the native call (FFM). Where it is unavailable (another OS, no native access) it logs the
 * reason once and does nothing.
 */
public final class BackgroundPriority {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);
    /** The nice value of background threads. */
    public static final int NICE = 19;
    private static final int PRIO_PROCESS = 0;
    private static final MethodHandle GETTID;
    private static final MethodHandle SETPRIORITY;

    static {
        MethodHandle gettid = null;
        MethodHandle setpriority = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
            setpriority = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        } catch (Throwable e) {
            LOG.info("background threads keep the normal CPU priority: {}", e.toString());
        }
        GETTID = gettid;
        SETPRIORITY = setpriority;
    }

    private BackgroundPriority() {}

    /** Lowers the calling thread to {@link #NICE}; returns whether it took effect. */
    public static boolean lowerCurrentThread() {
        if (SETPRIORITY == null) {
            return false;
        }
        try {
            int tid = (int) GETTID.invokeExact();
            return (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, NICE) == 0;
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
