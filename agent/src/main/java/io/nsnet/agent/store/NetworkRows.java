package io.nsnet.agent.store;

import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import java.util.ArrayList;
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
    /** The writer's index of the cached rows (see {@link NetworkIndex}); only touched under the store's write lock. */
    private NetworkIndex index;

    /** The rows if they are those of {@code version}, else null. */
    List<Network> get(String version) {
        Cached c = cached;
        return c != null && c.version().equals(version) ? c.rows() : null;
    }

    /** The cached rows, whatever their version, or null: a hint only (see {@link StateStore#cachedNetworks}). */
    List<Network> latest() {
        Cached c = cached;
        return c == null ? null : c.rows();
    }

    void put(String version, List<Network> rows) {
        cached = new Cached(version, rows);
    }

    /**
     * After a commit that took the networks from {@code from} to {@code to} through {@code change}: the cache
     * follows if it held {@code from}, and is dropped otherwise (the next reader reads the table). The writer's
     * index follows through {@code indexChange} if it described {@code from}, and is dropped otherwise (rebuilt
     * from the rows when next asked for).
     */
    void committed(String from, String to, UnaryOperator<List<Network>> change, java.util.function.Consumer<NetworkIndex> indexChange) {
        NetworkIndex i = index;
        index = null;
        if (i != null && i.version().equals(from)) {
            indexChange.accept(i);
            i.setVersion(to);
            index = i.broken() ? null : i;
        }
        Cached c = cached;
        if (c != null && c.version().equals(from)) {
            // The changes keep the rows in creation order (see inserted): no sort, which read every row's seq.
            cached = new Cached(to, change.apply(new ArrayList<>(c.rows())));
        } else {
            cached = null;
        }
    }

    /**
     * The writer's index of the rows of {@code version}, built from the cached rows if need be; null when the
     * cache does not hold that version or the rows' subnets overlap (callers then scan). Write transactions only.
     */
    NetworkIndex index(String version) {
        Cached c = cached;
        if (c == null || !c.version().equals(version)) {
            return null;
        }
        if (index == null || index.broken() || !index.version().equals(version)) {
            index = NetworkIndex.build(version, c.rows());
        }
        return index;
    }

    void invalidate() {
        index = null;
        cached = null;
    }

    /**
     * One change of a write transaction, replayed onto the cached rows at commit: an insert, in creation order (at
     * the end, unless an older sequence number comes in, a restored row).
     */
    static UnaryOperator<List<Network>> inserted(Network n) {
        return rows -> {
            int at = rows.size();
            while (at > 0 && rows.get(at - 1).seq() > n.seq()) {
                at--;
            }
            rows.add(at, n);
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
