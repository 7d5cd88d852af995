package io.nsnet.agent.network;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.nsnet.addr.Address;
import io.nsnet.addr.IpPrefix;
import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;
import io.nsnet.link.Link;
import io.nsnet.link.LinkKind;
import io.nsnet.link.LinkRemover;
import io.nsnet.link.LinkSpec;
import io.nsnet.netlink.NetlinkException;
import io.nsnet.netlink.Nl;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.sysctl.Sysctls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network's bridge in the host namespace: created up with the gateway address and MTU, marked as nsnet's
 * with the link alias {@code nsnet:net:<id>} so reconcile can tell nsnet's bridges from the administrator's,
 * whatever they are called.
 */
public final class BridgeDriver {
    public static final String ALIAS_PREFIX = "nsnet:net:";
    private static final Logger LOG = LoggerFactory.getLogger(BridgeDriver.class);

    private final Rtnl host;
    private final Sysctls hostSysctls;
    private final LinkRemover remover;

    /** @param hostSysctls the host namespace's sysctls: a new bridge gets IPv6 turned off (see {@link #create}) */
    public BridgeDriver(Rtnl host, Sysctls hostSysctls, LinkRemover remover) {
        this.host = host;
        this.hostSysctls = hostSysctls;
        this.remover = remover;
    }

    public static String aliasFor(Network network) {
        return ALIAS_PREFIX + network.id();
    }

    /** Refuses a bridge name already used by a link that is not this network's bridge. */
    public void checkNameFree(String bridge, String networkId) {
        Optional<Link> existing = host.links().find(bridge);
        if (existing.isPresent() && !existing.get().alias().equals(ALIAS_PREFIX + networkId)) {
            throw new ConflictException("bridge name \"" + bridge + "\" is already used by a "
                    + (existing.get().kind().name().isEmpty() ? "device" : existing.get().kind().name())
                    + " link in the host namespace");
        }
    }

    /**
     * Makes a new network's bridge with one exclusive create, without looking the name up first. If the name is
     * taken, a link carrying this network's mark is adopted (a create cut short by a crash) and anything else is
     * refused as {@link #checkNameFree} refuses it, untouched. A bridge made here that cannot be set up is removed
     * again before the failure is thrown, so that a failed create leaves no unmarked bridge (which reconcile would
     * not recognise as nsnet's).
     */
    public void create(Network n) {
        int index;
        try {
            index = host.links().addAndGet(new LinkSpec.Bridge(n.bridge(), n.mtu(), null)).index();
        } catch (NetlinkException.AlreadyExistsException e) {
            checkNameFree(n.bridge(), n.id());
            ensure(n);
            return;
        }
        try {
            noIpv6(n.bridge());
            // The mark first, while it is down: an alias change on a link that is up is a NETDEV_CHANGE.
            host.batch().setAlias(index, aliasFor(n)).addAddress(index, gatewayPrefix(n.gateway(), n.subnet()))
                    .linkUp(index).send();
        } catch (RuntimeException e) {
            try {
                delete(n.bridge());
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Deletes the network's bridge if it carries this network's mark; a link of that name that is not this
     * network's (someone else's, or another network's) is left alone. Returns whether it deleted one. What a
     * failed create rolls back with: the create may have failed because the name was someone else's.
     */
    public boolean deleteIfMarked(Network n) {
        Optional<Link> l = host.links().find(n.bridge());
        if (l.isEmpty() || !l.get().alias().equals(aliasFor(n))) {
            return false;
        }
        return delete(n.bridge());
    }

    /** Makes the bridge exist, carry the gateway address and be up; repairs what is missing. */
    public void ensure(Network n) {
        ensure(n, null);
    }

    /**
     * As {@link #ensure(Network)}, with the host's links and IPv4 addresses read once by a caller that ensures
     * many networks (reconcile at start): without it each call dumps every address of the host, so a start with
     * k networks cost k dumps of k addresses.
     */
    public void ensure(Network n, HostView view) {
        Link br = view != null ? view.links().get(n.bridge()) : host.links().find(n.bridge()).orElse(null);
        IpPrefix gw = gatewayPrefix(n.gateway(), n.subnet());
        if (br == null) {
            // A new bridge: the kernel's echo gives its index, and mark, gateway and up follow in one write
            // (the mark first, while it is down: an alias change on a link that is up is a NETDEV_CHANGE).
            int index = host.links().addAndGet(new LinkSpec.Bridge(n.bridge(), n.mtu(), null)).index();
            noIpv6(n.bridge());
            host.batch().setAlias(index, aliasFor(n)).addAddress(index, gw).linkUp(index).send();
            return;
        }
        if (!(br.kind() instanceof LinkKind.Bridge)) {
            throw new ConflictException("link \"" + n.bridge() + "\" in the host namespace is not a bridge");
        }
        if (!br.alias().equals(aliasFor(n))) {
            host.links().setAlias(br.index(), aliasFor(n));
        }
        if (br.mtu() != n.mtu()) {
            host.links().setMtu(br.index(), n.mtu());
        }
        noIpv6(n.bridge()); // a bridge made before nsnet turned IPv6 off on its bridges (a no-op if already off)
        int index = br.index();
        boolean hasAddress;
        if (view != null) {
            hasAddress = view.addresses().getOrDefault(index, List.of()).contains(gw);
        } else {
            hasAddress = host.addresses().list(Nl.AF_INET, index).stream().anyMatch(a -> a.prefix().equals(gw));
        }
        if (!hasAddress) {
            try {
                host.addresses().add(index, gw);
            } catch (NetlinkException.AlreadyExistsException e) {
                // raced with ourselves after a crash: the address is there, which is what we want
            }
        }
        if (!br.isUp()) {
            host.links().setUp(index);
        }
    }

    /**
     * Turns IPv6 off on a bridge of nsnet's. nsnet's networks are IPv4-only and its sandboxes have no IPv6, so
     * the host's IPv6 on the bridge (Docker leaves it a link-local address) serves nothing, and it costs: each
     * IPv6 link adds routes to the host's table (fe80::/64, ff00::/8) that every later link event walks or
     * extends (the bridge's own events, a port's carrier change, another link's up). Measured with 1000
     * networks, two daemons side by side: attach 3.71 -> 2.92 ms, detach 4.82 -> 3.52 ms median, create 0.99x;
     * with 2 networks no difference. (The host ends of veths keep theirs: turning it off moves the cost of
     * IPv6's teardown from detach to attach, +0.26 ms per attach with few networks.)
     */
    private void noIpv6(String bridge) {
        try {
            hostSysctls.disableIpv6(bridge);
        } catch (Sysctls.SysctlException e) {
            // Only a saving, not part of the network's function: a host where it cannot be written (a read-only
            // /proc/sys) still gets its network, with IPv6 on the bridge as Docker leaves it.
            LOG.warn("bridge {} keeps IPv6: {}", bridge, e.getMessage());
        }
    }

    public static IpPrefix gatewayPrefix(Ipv4 gateway, Cidr subnet) {
        return IpPrefix.parse(gateway + "/" + subnet.prefix());
    }

    /**
     * Deletes the bridge if it exists, returning once the kernel has unlisted it; returns whether it did. A bridge's
     * own removal still waits for one RCU grace period before it is unlisted (br_vlan_flush's synchronize_rcu,
     * 13–27 ms measured here, with or without addresses, up or down); what {@link LinkRemover} saves is the
     * rcu_barrier after it, as long again.
     */
    public boolean delete(String bridge) {
        try {
            remover.delete(bridge);
            return true;
        } catch (NetlinkException.NotFoundException e) {
            return false;
        }
    }

    /** Bridges in the host namespace that carry nsnet's mark: (name, network id). */
    public List<Owned> ownedBridges() {
        List<Owned> out = new ArrayList<>();
        for (Link l : host.links().list()) {
            if (l.kind() instanceof LinkKind.Bridge && l.alias().startsWith(ALIAS_PREFIX)) {
                out.add(new Owned(l.name(), l.alias().substring(ALIAS_PREFIX.length()), l.index()));
            }
        }
        return out;
    }

    /** The host's links by name and IPv4 addresses by link index, read with one dump each. */
    public record HostView(Map<String, Link> links, Map<Integer, List<IpPrefix>> addresses) {
        public static HostView read(Rtnl host) {
            Map<String, Link> links = new HashMap<>();
            for (Link l : host.links().list()) {
                links.put(l.name(), l);
            }
            Map<Integer, List<IpPrefix>> addresses = new HashMap<>();
            for (Address a : host.addresses().list(Nl.AF_INET)) {
                addresses.computeIfAbsent(a.linkIndex(), i -> new ArrayList<>()).add(a.prefix());
            }
            return new HostView(links, addresses);
        }
    }

    /** An nsnet bridge found in the kernel. */
    public record Owned(String bridge, String networkId, int index) {
    }
}
