package io.nsnet.agent.store;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * A transaction committed ahead of the kernel work it records and becoming durable while that work runs (see
 * {@link StateStore#writeAhead}). Its value is what the transaction returned; {@link #awaitDurable} must return
 * before anyone is told the change is done.
 */
public final class AheadCommit<T> {

    private final T value;
    private final Future<Void> sync;

    AheadCommit(T value, Future<Void> sync) {
        this.value = value;
        this.sync = sync;
    }

    public T value() {
        return value;
    }

    /**
     * Waits until the commit is on disk.
     *
     * @throws StoreException if the log could not be synced (the change may be lost on power failure)
     */
    public T awaitDurable() {
        try {
            sync.get();
            return value;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new StoreException("state store: cannot make the change durable (fsync of the write-ahead log "
                    + "failed): " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the state store's fsync", e);
        }
    }
}
