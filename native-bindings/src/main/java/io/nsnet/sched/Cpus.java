package io.nsnet.sched;

import io.nsnet.libc.ErrnoException;
import io.nsnet.libc.Native;
import java.util.BitSet;

/** Which CPU a thread runs on and which it may run on: sched_getcpu(3), sched_getaffinity(2)/sched_setaffinity(2). */
public final class Cpus {
    /** Words of a {@code cpu_set_t} as glibc defines it: 1024 CPUs. */
    private static final int MASK_WORDS = 16;

    private Cpus() {
    }

    /** The CPU the calling thread is on right now (it may move at any time), or -1 if the kernel cannot say. */
    public static int current() {
        return Native.libc().sched_getcpu();
    }

    /** The CPUs thread {@code tid} may run on; 0 is the calling thread. */
    public static BitSet affinity(int tid) {
        long[] mask = new long[MASK_WORDS];
        Native.check(Native.libc().sched_getaffinity(tid, mask.length * 8L, mask), "sched_getaffinity " + tid);
        return BitSet.valueOf(mask);
    }

    /**
     * Lets thread {@code tid} (0: the calling thread) run only on {@code cpus}.
     *
     * @throws ErrnoException EINVAL if none of {@code cpus} is one the thread may use (its cgroup's cpuset)
     */
    public static void setAffinity(int tid, BitSet cpus) {
        long[] words = cpus.toLongArray();
        if (words.length > MASK_WORDS) {
            throw new IllegalArgumentException("CPU " + cpus.length() + " is beyond a cpu_set_t");
        }
        long[] mask = java.util.Arrays.copyOf(words, MASK_WORDS);
        Native.check(Native.libc().sched_setaffinity(tid, mask.length * 8L, mask), "sched_setaffinity " + tid);
    }
}
