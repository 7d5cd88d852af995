package io.nsnet.agent.store;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.nsnet.agent.model.Ipv4;

/**
 * Per network, the addresses its endpoints hold (address → sandbox) as the database holds them after the last
 * commit: what IPAM reads on every attach ({@link SqlTx#addressesOn}).
 *
 * <p>Why: reading them is a row per sandbox on the network; timed in the daemon, that read and the allocation grew
 * from 0.04 ms at N=25 to 0.41 ms at N=475, about a quarter of an attach's growth with N. Kept like
 * {@link PortSandboxRows}: filled only by a write transaction that has not changed endpoints yet (so what it read is
 * the committed state: the writer holds the write lock), and carried through each commit by replaying that
 * transaction's endpoint changes. A change whose effect is not known exactly (a refused insert that its transaction
 * went on from) drops everything. Guarded by the store's write lock, and it trusts, as {@link PortSandboxRows} does,
 * that this store is the database's only writer.
 */
final class AddressRows {
    /** Per network, address → sandbox; only the networks read since the last drop. */
    private final Map<String, Map<Ipv4, String>> byNetwork = new HashMap<>();

    static final UnaryOperator<Map<String, Map<Ipv4, String>>> UNKNOWN = kept -> null;

    /**
     * The network's addresses, read only, or null when they must be read. Not a copy: the caller, a write
     * transaction under the store's write lock, reads it before its commit changes it.
     */
    Map<Ipv4, String> get(String network) {
        Map<Ipv4, String> held = byNetwork.get(network);
        return held == null ? null : java.util.Collections.unmodifiableMap(held);
    }

    void put(String network, Map<Ipv4, String> read) {
        byNetwork.put(network, new HashMap<>(read));
    }

    /** After a commit: its endpoint changes replayed, in place (nothing can roll a commit back). */
    void committed(Replay<Map<String, Map<Ipv4, String>>> changes) {
        if (changes.applyTo(byNetwork) == null) {
            byNetwork.clear();
        }
    }

    static UnaryOperator<Map<String, Map<Ipv4, String>>> added(String network, Ipv4 ip, String sandbox) {
        return kept -> {
            Map<Ipv4, String> held = kept.get(network);
            if (held != null) {
                held.put(ip, sandbox);
            }
            return kept;
        };
    }

    /** The sandbox's endpoint on {@code network} removed. */
    static UnaryOperator<Map<String, Map<Ipv4, String>>> removed(String network, String sandbox) {
        return kept -> {
            Map<Ipv4, String> held = kept.get(network);
            if (held != null) {
                held.values().removeIf(sandbox::equals);
            }
            return kept;
        };
    }

    /** The sandbox removed with all its endpoints. */
    static UnaryOperator<Map<String, Map<Ipv4, String>>> sandboxDeleted(String sandbox) {
        return kept -> {
            kept.values().forEach(held -> held.values().removeIf(sandbox::equals));
            return kept;
        };
    }

    static UnaryOperator<Map<String, Map<Ipv4, String>>> networkDeleted(String network) {
        return kept -> {
            kept.remove(network);
            return kept;
        };
    }
}
