package io.nsnet.agent.store;

import java.util.function.UnaryOperator;

/**
 * What one write transaction changed in something the store keeps between commits (the network rows, the
 * sandboxes with ports, the addresses per network), composed in order and replayed onto the kept value once the
 * transaction has committed. A change that returns null means its effect is not known exactly: everything after
 * it is skipped and the kept value is dropped, so the next reader reads the tables.
 */
final class Replay<T> {
    private UnaryOperator<T> all = UnaryOperator.identity();
    private boolean empty = true;

    void add(UnaryOperator<T> change) {
        UnaryOperator<T> before = all;
        all = v -> {
            T mid = before.apply(v);
            return mid == null ? null : change.apply(mid);
        };
        empty = false;
    }

    boolean isEmpty() {
        return empty;
    }

    /** The kept value after this transaction's changes, or null to drop it. */
    T applyTo(T kept) {
        return all.apply(kept);
    }
}
