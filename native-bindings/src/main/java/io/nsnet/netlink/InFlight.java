package io.nsnet.netlink;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Waiting for kernel requests handed to another thread. The wait ignores interrupts (and restores the flag after):
 * once a request is in the kernel it will complete, and its outcome is what the caller must act on (a rollback that
 * did not wait could race the request it undoes).
 */
public final class InFlight {
    private InFlight() {
    }

    /** The task's result, its RuntimeException rethrown as is. */
    public static <T> T await(Future<T> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
