package io.nsnet.agent.ipam;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.ExhaustedException;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.Validation;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.OptionalInt;

/**
 * Chooses a network's subnet, as Docker's default IPAM driver does. Pure and deterministic: the result depends
 * only on the arguments (existing networks, host routes, where the last automatic allocation stopped), so the
 * daemon can call it inside a store transaction and the same inputs give the same subnet. Not thread-safe by
 * design; the daemon serialises mutations.
 */
public final class SubnetAllocator {

    /** Docker's message, verbatim, so scripts matching on it keep working. */
    public static final String POOLS_EXHAUSTED =
            "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network";

    private final List<Cidr> pools;

    /** An allocator over Docker's default pools. */
    public SubnetAllocator() {
        this(DefaultPools.docker());
    }

    /** An allocator over the given pools, in allocation order. */
    public SubnetAllocator(List<Cidr> pools) {
        this.pools = List.copyOf(pools);
    }

    public List<Cidr> pools() {
        return pools;
    }

    /**
     * Allocates a subnet for a new network.
     *
     * <p>Automatic: the default pools are tried starting right after {@code lastPoolIndex} and wrapping around,
     * so (like Docker) a freed subnet is reused only after every later pool was tried; this keeps a just-deleted
     * network's subnet out of use while stale routes, ARP entries or conntrack state may still point at it. A
     * pool is skipped when it overlaps an existing network or a route of the host namespace (a LAN or VPN the
     * host already reaches). Routes with prefix length 0 (default routes) are ignored, as Docker ignores routes
     * without a destination.
     *
     * <p>Explicit: the subnet must not overlap an existing network (the error names it). Host routes are not
     * checked, as with Docker: an explicit subnet is the user's decision. The gateway defaults to the first host.
     *
     * @param request       what the user asked for
     * @param existing      all stored networks, in any state (a network being created or deleted still holds its subnet)
     * @param hostRoutes    destinations of the host namespace's IPv4 routes
     * @param lastPoolIndex index of the pool the last automatic allocation returned, or -1 if none yet
     * @throws io.nsnet.agent.model.ValidationException for a bad subnet, gateway or ip-range
     * @throws ConflictException  when an explicit subnet overlaps another network
     * @throws ExhaustedException when no default pool is free
     */
    public SubnetAllocation allocate(SubnetRequest request, Collection<Network> existing, Collection<Cidr> hostRoutes,
                                     int lastPoolIndex) {
        return allocate(request, subnet -> overlapping(subnet, existing), hostRoutes, lastPoolIndex);
    }

    /**
     * As {@link #allocate(SubnetRequest, Collection, Collection, int)}, with the existing networks behind a query:
     * {@code overlapping} returns the oldest network whose subnet overlaps the one given (the store answers it
     * from an index instead of a scan of every network).
     */
    public SubnetAllocation allocate(SubnetRequest request, Function<Cidr, Optional<Network>> overlapping,
                                     Collection<Cidr> hostRoutes, int lastPoolIndex) {
        if (request.subnet().isPresent()) {
            return explicit(request, overlapping);
        }
        int n = pools.size();
        int start = lastPoolIndex < -1 || lastPoolIndex >= n ? 0 : lastPoolIndex + 1;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            Cidr candidate = pools.get(i);
            if (overlapping.apply(candidate).isEmpty() && !overlapsRoute(candidate, hostRoutes)) {
                return new SubnetAllocation(candidate, firstHost(candidate), Optional.empty(), OptionalInt.of(i));
            }
        }
        throw new ExhaustedException(POOLS_EXHAUSTED);
    }

    private SubnetAllocation explicit(SubnetRequest request, Function<Cidr, Optional<Network>> overlapping) {
        Cidr subnet = Validation.subnet(request.subnet().get());
        Ipv4 gateway = request.gateway().orElse(firstHost(subnet));
        Validation.gateway(subnet, gateway);
        request.ipRange().ifPresent(r -> Validation.ipRange(subnet, r));
        Optional<Network> other = overlapping.apply(subnet);
        if (other.isPresent()) {
            throw new ConflictException("subnet \"" + subnet + "\": overlaps subnet " + other.get().subnet() + " of network "
                    + other.get().name());
        }
        return new SubnetAllocation(subnet, gateway, request.ipRange(), OptionalInt.empty());
    }

    private static Optional<Network> overlapping(Cidr subnet, Collection<Network> existing) {
        for (Network n : existing) {
            if (n.subnet().overlaps(subnet)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    private static boolean overlapsRoute(Cidr subnet, Collection<Cidr> hostRoutes) {
        return hostRoutes.stream().anyMatch(r -> r.prefix() > 0 && r.overlaps(subnet));
    }

    private static Ipv4 firstHost(Cidr subnet) {
        return subnet.network().plus(1);
    }
}
