package io.nsnet.sched;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Waiting for another thread's result that is due within a fraction of a millisecond, by spinning for a bounded
 * time before blocking.
 *
 * <p>Why: a thread that blocks leaves its CPU idle, and on a virtual machine an idle virtual CPU is halted; the
 * wake-up that hands the result over then costs ~0.1 ms (measured on nsnet's 2-CPU test machine: a sandbox
 * create saw its transaction's commit a median 0.14 ms after it was made, its thread having blocked ~0.15 ms
 * earlier). Spinning keeps the CPU running and sees the result as soon as it is published. The bound keeps a
 * wait that takes longer than expected (a slow disk) from burning a CPU: after it, the thread blocks as usual.
 */
public final class Spin {
    /** Longer than the waits it is meant for (0.1-0.5 ms), short beside a request (~2 ms). */
    static final long LIMIT_NANOS = TimeUnit.MICROSECONDS.toNanos(1000);

    private Spin() {
    }

    /** Returns once {@code task} is done or the limit has passed; the caller then gets its result as usual. */
    public static void untilDone(Future<?> task) {
        untilDone(task, LIMIT_NANOS);
    }

    static void untilDone(Future<?> task, long limitNanos) {
        if (task.isDone()) {
            return;
        }
        long deadline = System.nanoTime() + limitNanos;
        while (!task.isDone() && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
    }
}
