package io.nsnet.agent.store;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.nsnet.agent.ipam.AddressBook;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;

/**
 * Per network, the addresses its endpoints hold (address → sandbox) as the database holds them after the last
 * commit, and the first address IPAM would hand out next: what IPAM reads on every attach ({@link SqlTx#addressesOn},
 * {@link SqlTx#firstFreeAddress}).
 *
 * <p>Why: reading them is a row per sandbox on the network; timed in the daemon, that read and the allocation grew
 * from 0.04 ms at N=25 to 0.41 ms at N=475, about a quarter of an attach's growth with N. With the rows kept, the
 * allocation's scan from the start of the range still grew (0.03 ms at N=45, 0.15 ms at N=425): the first free
 * address is kept too, moved on when it is taken and back when a lower one is freed.
 *
 * <p>Kept like {@link PortSandboxRows}: filled only by a write transaction that has not changed endpoints yet (so what
 * it read is the committed state: the writer holds the write lock), and carried through each commit by replaying
 * that transaction's endpoint changes. A change whose effect is not known exactly (a refused insert that its
 * transaction went on from) drops everything. Guarded by the store's write lock, and it trusts, as
 * {@link PortSandboxRows} does, that this store is the database's only writer.
 */
final class AddressRows {

    /** One network's addresses, and its first free address when known. */
    static final class Kept {
        private final Network network;
        private final Map<Ipv4, String> held;
        /** What {@link AddressBook#allocate} would hand out first; null when not known (or the range is full). */
        private Ipv4 firstFree;

        Kept(Network network, Map<Ipv4, String> held) {
            this.network = network;
            this.held = new HashMap<>(held);
            // From the subnet's start: firstFree begins no lower than the range's.
            this.firstFree = AddressBook.firstFree(network, this.held, network.subnet().network()).orElse(null);
        }

        void add(Ipv4 ip, String sandbox) {
            held.put(ip, sandbox);
            if (ip.equals(firstFree)) {
                firstFree = AddressBook.firstFree(network, held, ip).orElse(null);
            }
        }

        void removeHeldBy(String sandbox) {
            for (Iterator<Map.Entry<Ipv4, String>> it = held.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Ipv4, String> e = it.next();
                if (sandbox.equals(e.getValue())) {
                    it.remove();
                    freed(e.getKey());
                }
            }
        }

        private void freed(Ipv4 ip) {
            if (!AddressBook.dynamic(network, ip)) {
                return; // a static address outside the range: never handed out
            }
            // Null only when the range was full: this is then the one free address.
            if (firstFree == null || ip.compareTo(firstFree) < 0) {
                firstFree = ip;
            }
        }
    }

    /** Per network, its kept addresses; only the networks read since the last drop. */
    private final Map<String, Kept> byNetwork = new HashMap<>();

    static final UnaryOperator<Map<String, Kept>> UNKNOWN = kept -> null;

    /**
     * The network's addresses, read only, or null when they must be read. Not a copy: the caller, a write
     * transaction under the store's write lock, reads it before its commit changes it.
     */
    Map<Ipv4, String> get(String network) {
        Kept k = byNetwork.get(network);
        return k == null ? null : java.util.Collections.unmodifiableMap(k.held);
    }

    /** The first address IPAM would hand out on the network, if its addresses are kept and it is known; else null. */
    Ipv4 firstFree(String network) {
        Kept k = byNetwork.get(network);
        return k == null ? null : k.firstFree;
    }

    void put(Network network, Map<Ipv4, String> read) {
        byNetwork.put(network.name(), new Kept(network, read));
    }

    /** After a commit: its endpoint changes replayed, in place (nothing can roll a commit back). */
    void committed(Replay<Map<String, Kept>> changes) {
        if (changes.applyTo(byNetwork) == null) {
            byNetwork.clear();
        }
    }

    static UnaryOperator<Map<String, Kept>> added(String network, Ipv4 ip, String sandbox) {
        return kept -> {
            Kept k = kept.get(network);
            if (k != null) {
                k.add(ip, sandbox);
            }
            return kept;
        };
    }

    /** The sandbox's endpoint on {@code network} removed. */
    static UnaryOperator<Map<String, Kept>> removed(String network, String sandbox) {
        return kept -> {
            Kept k = kept.get(network);
            if (k != null) {
                k.removeHeldBy(sandbox);
            }
            return kept;
        };
    }

    /** The sandbox removed with all its endpoints. */
    static UnaryOperator<Map<String, Kept>> sandboxDeleted(String sandbox) {
        return kept -> {
            kept.values().forEach(k -> k.removeHeldBy(sandbox));
            return kept;
        };
    }

    static UnaryOperator<Map<String, Kept>> networkDeleted(String network) {
        return kept -> {
            kept.remove(network);
            return kept;
        };
    }
}
