package io.nsnet.agent.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.Sandbox;

/**
 * The sandboxes that publish ports, with their endpoints and ports, as the database holds them after the last
 * commit: what the firewall needs of sandboxes ({@link StateStore#sandboxesWithPorts}).
 *
 * <p>Why: every change that touches published ports (a sandbox with a port created or removed) syncs the firewall,
 * which needs them all; reading them costs three queries (~0.7 ms with a few dozen), as much as planning and
 * committing the rules. The rows are kept by the store's writer: filled by a read made under the write lock, and
 * carried through each commit by replaying that transaction's changes onto them, also under the write lock, so no
 * commit can fall between a read and the cache it fills. A change whose effect is not known exactly (a refused
 * insert that its transaction went on from) drops them, and the next reader reads the tables. Guarded by the
 * store's write lock.
 *
 * <p>Unlike {@link NetworkRows}, which checks a version token in the database, these rows trust that this store is
 * the only writer: the lock file keeps a second nsnetd off the state, and a hand edit of the database while the
 * daemon runs is not seen until it restarts.
 */
final class PortSandboxRows {
    /** What one write transaction did to sandboxes, replayed at commit; {@link #UNKNOWN} drops the rows. */
    static final UnaryOperator<List<Sandbox>> UNKNOWN = rows -> null;

    private List<Sandbox> rows;

    /** The rows, or null when they must be read. */
    List<Sandbox> get() {
        return rows == null ? null : List.copyOf(rows);
    }

    void put(List<Sandbox> read) {
        rows = List.copyOf(read);
    }

    /** After a commit whose sandbox changes are {@code change} (identity when it made none). */
    void committed(UnaryOperator<List<Sandbox>> change) {
        if (rows == null) {
            return;
        }
        List<Sandbox> after = change.apply(new ArrayList<>(rows));
        if (after == null) {
            rows = null;
            return;
        }
        after = new ArrayList<>(after);
        after.sort(Comparator.comparingLong(Sandbox::seq));
        rows = List.copyOf(after);
    }

    void invalidate() {
        rows = null;
    }

    static UnaryOperator<List<Sandbox>> inserted(Sandbox s) {
        if (s.ports().isEmpty()) {
            return UnaryOperator.identity();
        }
        return rows -> {
            rows.add(s);
            return rows;
        };
    }

    static UnaryOperator<List<Sandbox>> stateSet(String name, ObjectState state) {
        return rows -> {
            rows.replaceAll(s -> s.name().equals(name) ? s.withState(state) : s);
            return rows;
        };
    }

    static UnaryOperator<List<Sandbox>> endpointStateSet(String sandbox, String network, ObjectState state) {
        return rows -> {
            rows.replaceAll(s -> !s.name().equals(sandbox) ? s : new Sandbox(s.name(), s.id(), s.netns(),
                    s.endpoints().stream().map(e -> e.network().equals(network) ? e.withState(state) : e).toList(),
                    s.ports(), s.seq(), s.created(), s.state()));
            return rows;
        };
    }

    static UnaryOperator<List<Sandbox>> endpointAdded(String sandbox, Endpoint e) {
        return rows -> {
            rows.replaceAll(s -> s.name().equals(sandbox) ? s.withEndpoint(e) : s);
            return rows;
        };
    }

    static UnaryOperator<List<Sandbox>> endpointRemoved(String sandbox, String network) {
        return rows -> {
            rows.replaceAll(s -> s.name().equals(sandbox) ? s.withoutEndpoint(network) : s);
            return rows;
        };
    }

    static UnaryOperator<List<Sandbox>> deleted(String name) {
        return rows -> {
            rows.removeIf(s -> s.name().equals(name));
            return rows;
        };
    }
}
