package io.nsnet.agent.ipam;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.ExhaustedException;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.Sandbox;
import io.nsnet.agent.model.Validation;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The address assignments of one network, built from stored state for the duration of one mutation. The store is
 * the source of truth (its unique index on (network, ip) is the last line of defence); this class only decides
 * which address a new endpoint gets.
 *
 * <p>Dynamic addresses are the first free host address of the ip-range (or the subnet), skipping the gateway,
 * the network and broadcast addresses: Docker 20.10's non-serial allocation, so a released address is handed
 * out again as soon as it is the lowest free one. Static addresses may be anywhere in the subnet, as with
 * Docker. Not thread-safe; the daemon serialises mutations.
 */
public final class AddressBook {

    private final Network network;
    /**
     * The addresses held when the book was made, read and never copied: an attach makes a book on a network with
     * hundreds of sandboxes and assigns one address, on the path to its commit.
     */
    private final Map<Ipv4, String> held;
    /** What this book changed: address → its holder now, null once released. */
    private final Map<Ipv4, String> changed = new HashMap<>();
    /** Where {@link #allocate} starts: no address below it is free in {@link #held}. */
    private final long scanFrom;

    private AddressBook(Network network, Map<Ipv4, String> held, Ipv4 firstFree) {
        this.network = network;
        this.held = held;
        long start = range(network).network().toLong();
        this.scanFrom = firstFree == null ? start : Math.max(start, firstFree.toLong());
    }

    /**
     * As {@link #of(Network, Map)}, with the first free address already known (see {@link #firstFree}), or null:
     * the allocation then starts there instead of at the beginning of the range, a scan that grows with the number
     * of addresses held (~0.15 ms of an attach with 400 sandboxes on the network, measured in the daemon).
     */
    public static AddressBook of(Network network, Map<Ipv4, String> holders, Ipv4 firstFree) {
        return new AddressBook(network, holders, firstFree);
    }

    /**
     * The address {@link #allocate} would hand out first on {@code network} with {@code held} taken, looking
     * from {@code from} on (which must have no free address below it); empty when the range is full.
     */
    public static Optional<Ipv4> firstFree(Network network, Map<Ipv4, String> held, Ipv4 from) {
        Cidr range = range(network);
        for (long a = Math.max(from.toLong(), range.network().toLong()); a <= range.broadcast().toLong(); a++) {
            Ipv4 ip = Ipv4.ofLong(a);
            if (dynamic(network, ip) && !held.containsKey(ip)) {
                return Optional.of(ip);
            }
        }
        return Optional.empty();
    }

    /** Whether {@link #allocate} may hand out {@code ip}: in the range, not the subnet's network, broadcast or gateway. */
    public static boolean dynamic(Network network, Ipv4 ip) {
        Cidr subnet = network.subnet();
        return range(network).contains(ip) && !ip.equals(subnet.network()) && !ip.equals(subnet.broadcast())
                && !ip.equals(network.gateway());
    }

    private static Cidr range(Network network) {
        return network.ipRange().orElse(network.subnet());
    }

    /**
     * An address book for {@code network} with the given addresses already held, address → holder (sandbox) name.
     * The map is read, not copied: it must not change while the book is in use.
     */
    public static AddressBook of(Network network, Map<Ipv4, String> holders) {
        return new AddressBook(network, holders, null);
    }

    /** An address book for {@code network} holding the addresses of every sandbox endpoint on it, in any state. */
    public static AddressBook of(Network network, Collection<Sandbox> sandboxes) {
        Map<Ipv4, String> held = new HashMap<>();
        for (Sandbox s : sandboxes) {
            s.endpoint(network.name()).map(Endpoint::ip).ifPresent(ip -> held.put(ip, s.name()));
        }
        return new AddressBook(network, held, null);
    }

    public Network network() {
        return network;
    }

    public Optional<String> holderOf(Ipv4 ip) {
        return Optional.ofNullable(holder(ip));
    }

    private String holder(Ipv4 ip) {
        return changed.containsKey(ip) ? changed.get(ip) : held.get(ip);
    }

    /**
     * Assigns the first free address to {@code holder}.
     *
     * @throws ExhaustedException naming the block and the network when every address is taken
     */
    public Ipv4 allocate(String holder) {
        Cidr range = range(network);
        // From scanFrom, not from the range's start: nothing below it is free in held. An address this book
        // released may be, so then from the start.
        long from = changed.containsValue(null) ? range.network().toLong() : scanFrom;
        for (long a = from; a <= range.broadcast().toLong(); a++) {
            Ipv4 ip = Ipv4.ofLong(a);
            if (!dynamic(network, ip) || holder(ip) != null) {
                continue;
            }
            changed.put(ip, holder);
            return ip;
        }
        String where = network.ipRange().isPresent() ? "ip-range " + range : range.toString();
        throw new ExhaustedException("no free address in " + where + " of network " + network.name());
    }

    /**
     * Assigns a static address to {@code holder}.
     *
     * @throws io.nsnet.agent.model.ValidationException if the address is outside the subnet or is its network,
     *     broadcast or gateway address
     * @throws ConflictException naming the sandbox that holds it already
     */
    public Ipv4 reserve(Ipv4 ip, String holder) {
        Validation.staticAddress(network, ip);
        String current = holder(ip);
        if (current != null) {
            throw new ConflictException("ip \"" + ip + "\": already in use by sandbox " + current + " on network " + network.name());
        }
        changed.put(ip, holder);
        return ip;
    }

    /** Frees an address (no-op if it was free). */
    public void release(Ipv4 ip) {
        changed.put(ip, null);
    }
}
