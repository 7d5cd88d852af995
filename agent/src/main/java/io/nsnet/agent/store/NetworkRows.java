package io.nsnet.agent.store;

import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The networks table as last read or written, tagged with the version token the database held then.
 *
 * <p>Why: at 1000 networks reading every row costs ~3 ms (a JNI call per column), and a network create read them
 * three times (the allocator, the insert's conflict checks, the firewall's state) while only one row changes.
 * Every write transaction that changes networks stores a fresh random token in {@code meta} in the same
 * transaction; a transaction that reads the token and finds this cache tagged with it knows the cached rows are
 * exactly what its own snapshot holds, whatever else has committed meanwhile. A commit that changed networks
 * patches the cached rows into the new version when the cache held the version it started from, so the next
 * reader finds them current without reading the table.
 */
final class NetworkRows {

    static final String META_VERSION = "networks_version";

    record Cached(String version, List<Network> rows) {
        Cached {
            rows = List.copyOf(rows);
        }
    }

    private volatile Cached cached;

    /** The rows if they are those of {@code version}, else null. */
    List<Network> get(String version) {
        Cached c = cached;
        return c != null && c.version().equals(version) ? c.rows() : null;
    }

    void put(String version, List<Network> rows) {
        cached = new Cached(version, rows);
    }

    /**
     * After a commit that took the networks from {@code from} to {@code to} through {@code change}: the cache
     * follows if it held {@code from}, and is dropped otherwise (the next reader reads the table).
     */
    void committed(String from, String to, UnaryOperator<List<Network>> change) {
        Cached c = cached;
        if (c != null && c.version().equals(from)) {
            List<Network> rows = new ArrayList<>(change.apply(new ArrayList<>(c.rows())));
            rows.sort(Comparator.comparingLong(Network::seq));
            cached = new Cached(to, rows);
        } else {
            cached = null;
        }
    }

    void invalidate() {
        cached = null;
    }

    /** One change of a write transaction, replayed onto the cached rows at commit. */
    static UnaryOperator<List<Network>> inserted(Network n) {
        return rows -> {
            rows.add(n);
            return rows;
        };
    }

    static UnaryOperator<List<Network>> stateSet(String name, ObjectState state) {
        return rows -> {
            rows.replaceAll(r -> r.name().equals(name) ? r.withState(state) : r);
            return rows;
        };
    }

    static UnaryOperator<List<Network>> deleted(String name) {
        return rows -> {
            rows.removeIf(r -> r.name().equals(name));
            return rows;
        };
    }
}
