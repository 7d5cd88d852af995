package io.nsnet.agent.store;

/**
 * The state store itself failed (disk full, I/O error, corrupt or too-new database). Not a user mistake: the
 * API answers 500 and the daemon logs it. Deliberately not an {@link io.nsnet.agent.model.NsnetException}.
 */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
