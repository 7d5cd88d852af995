package io.nsnet.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SpinTest {

    @Test
    void seesAResultPublishedByAnotherThreadWhileSpinning() throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread other = new Thread(() -> result.complete("done"));
        other.start();
        Spin.untilDone(result, TimeUnit.SECONDS.toNanos(30));
        assertThat(result).isCompletedWithValue("done");
        other.join();
    }

    @Test
    void givesUpAtItsLimitWhenTheResultIsLate() {
        CompletableFuture<String> never = new CompletableFuture<>();
        Spin.untilDone(never, TimeUnit.MICROSECONDS.toNanos(200));
        // It returned (this test would hang otherwise) and left the waiting to the caller.
        assertThat(never).isNotDone();
        Spin.untilDone(CompletableFuture.completedFuture("x")); // done already: returns at once
    }
}
