package io.nsnet.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nsnet.libc.Errno;
import io.nsnet.libc.ErrnoException;
import java.util.BitSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Affinity calls and the side thread's steering, on this machine's scheduler (no root needed). */
class SideThreadTest {
    private final ExecutorService submitters = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        submitters.shutdownNow();
    }

    /** Runs {@code work} on a fresh thread limited to {@code cpus} (the test runner's own thread is left alone). */
    private <T> T onThreadLimitedTo(BitSet cpus, Callable<T> work) throws Exception {
        return submitters.submit(() -> {
            Cpus.setAffinity(0, cpus);
            Thread.yield(); // the kernel moves the thread at its next scheduling point
            return work.call();
        }).get(10, TimeUnit.SECONDS);
    }

    private static BitSet cpus(int... ids) {
        BitSet s = new BitSet();
        for (int id : ids) {
            s.set(id);
        }
        return s;
    }

    @Test
    void aThreadRunsOnACpuItMayUseAndCanBeLimitedToOne() throws Exception {
        BitSet usable = Cpus.affinity(0);
        assertThat(usable.cardinality()).isPositive();
        assertThat(usable.get(Cpus.current())).isTrue();

        int last = usable.length() - 1;
        int[] seen = onThreadLimitedTo(cpus(last), () -> new int[] {Cpus.current(), Cpus.affinity(0).cardinality()});
        assertThat(seen).containsExactly(last, 1);
    }

    @Test
    void anEmptyCpuSetIsRefusedWithEinval() throws Exception {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> onThreadLimitedTo(new BitSet(), () -> null));
        assertThat(e.getCause()).isInstanceOfSatisfying(ErrnoException.class,
                x -> assertThat(x.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void theWorkerIsRunningWhenConstructed() {
        // Its id is what the first hand-off steers: known at once, not once the thread gets round to starting.
        try (SideThread side = new SideThread("test-side")) {
            assertThat(side.tid()).isPositive();
        }
    }

    @Test
    void theWorkerIsKeptOffTheSubmittersCpu() throws Exception {
        BitSet usable = Cpus.affinity(0);
        assumeTrue(usable.cardinality() >= 2, "needs two CPUs");
        int a = usable.nextSetBit(0);
        int b = usable.nextSetBit(a + 1);
        try (SideThread side = new SideThread("test-side")) {
            for (int round = 0; round < 5; round++) {
                // The submitter may use a and b: whichever it is on, the worker gets the other one alone.
                int[] r = onThreadLimitedTo(cpus(a, b), () -> {
                    int[] worker = side.submit(() -> {
                        BitSet mine = Cpus.affinity(0);
                        return new int[] {mine.cardinality(), mine.nextSetBit(0), Cpus.current()};
                    }).get(10, TimeUnit.SECONDS);
                    return worker;
                });
                assertThat(r[0]).as("CPUs the worker may use").isEqualTo(1);
                assertThat(r[1]).isIn(a, b);
                assertThat(r[2]).as("the worker ran where it was sent").isEqualTo(r[1]);
            }
            assertThat(side.steeringRefused()).isEmpty();
            assertThat(side.tid()).isPositive();
        }
    }

    @Test
    void aSubmitterWithOneCpuLeavesTheWorkerWhereItMayRun() throws Exception {
        BitSet usable = Cpus.affinity(0);
        assumeTrue(usable.cardinality() >= 2, "needs two CPUs");
        try (SideThread side = new SideThread("test-side")) {
            BitSet workerCpus = onThreadLimitedTo(cpus(usable.nextSetBit(0)),
                    () -> side.submit(() -> Cpus.affinity(0)).get(10, TimeUnit.SECONDS));
            assertThat(workerCpus).isEqualTo(usable); // as the runner that created it: nowhere else to send it
        }
    }

    @Test
    void tasksReturnTheirResultsAndFailures() throws Exception {
        try (SideThread side = new SideThread("test-side")) {
            assertThat(side.submit(() -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
            assertThatThrownBy(() -> side.submit(() -> {
                throw new IllegalStateException("boom");
            }).get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("boom");
            assertThat(side.shutdown(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
