package io.nsnet.sched;

import io.nsnet.libc.ErrnoException;
import io.nsnet.libc.Native;
import java.util.BitSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One worker thread for work that runs beside the thread handing it over, kept off that thread's CPU.
 *
 * <p>Why: a task handed to a parked thread only runs once the scheduler places the woken thread on a CPU, and Linux
 * prefers the waker's own CPU (wake-affine). On the 2-CPU virtual machine nsnet is measured on, half of the hand-offs
 * that overlap a sandbox's links with its rules went there while the other CPU was idle (perf sched): the worker then
 * waited a median 0.47 ms, until the waker blocked, and the two halves ran one after the other. Taking the submitting
 * thread's CPU out of the worker's affinity just before waking it leaves the scheduler the other CPUs: the worker
 * starts in a median ~0.1 ms (the time an idle virtual CPU takes to wake up) and the halves overlap.
 *
 * <p>The affinity only changes when the submitter is found on another CPU than last time (two system calls then;
 * reading the CPU costs none). It is only ever narrowed to the CPUs the submitter itself may use, minus its own:
 * with a single usable CPU nothing is changed. If the kernel refuses (a cpuset changed under us, a seccomp policy),
 * steering stops for good and the thread behaves as any other.
 */
public final class SideThread implements AutoCloseable {
    private final ExecutorService executor;
    /** The worker's thread id, once it runs; 0 before. */
    private volatile int tid;
    /** Guarded by this: the CPU the worker was last steered away from, -1 for none. */
    private int steeredFrom = -1;
    /** Guarded by this: why the kernel refused to steer, once it has; null while steering. */
    private String refused;

    public SideThread(String name) {
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                tid = Native.gettid();
                r.run();
            }, name);
            t.setDaemon(true);
            return t;
        });
        // Started now, and waited for, so that its id is known by the first hand-off: a hand-off made before the
        // thread had run was not steered (SideThreadTest caught it on a loaded machine).
        try {
            executor.submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the side thread " + name + " did not start", e.getCause());
        }
    }

    /** Runs {@code task} on the worker, after steering it off the calling thread's CPU. */
    public <T> Future<T> submit(Callable<T> task) {
        steer();
        return executor.submit(task);
    }

    public Future<?> submit(Runnable task) {
        steer();
        return executor.submit(task);
    }

    private synchronized void steer() {
        int worker = tid;
        if (refused != null || worker == 0) {
            return;
        }
        int cpu = Cpus.current();
        if (cpu < 0 || cpu == steeredFrom) {
            return;
        }
        try {
            BitSet usable = Cpus.affinity(0);
            usable.clear(cpu);
            if (usable.isEmpty()) {
                return; // one CPU: nowhere else to go
            }
            Cpus.setAffinity(worker, usable);
            steeredFrom = cpu;
        } catch (ErrnoException | IllegalArgumentException e) {
            refused = e.getMessage();
        }
    }

    /** Why steering stopped, if the kernel refused it (for the owner to report). */
    public synchronized java.util.Optional<String> steeringRefused() {
        return java.util.Optional.ofNullable(refused);
    }

    /** The worker's thread id, or 0 until it has started. */
    public int tid() {
        return tid;
    }

    /** Lets the tasks already handed over finish (up to {@code timeout}) and stops the thread. */
    public boolean shutdown(long timeout, TimeUnit unit) throws InterruptedException {
        executor.shutdown();
        return executor.awaitTermination(timeout, unit);
    }

    /** Stops taking tasks; those handed over still run. */
    @Override
    public void close() {
        executor.shutdown();
    }
}
