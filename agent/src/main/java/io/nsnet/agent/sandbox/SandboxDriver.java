package io.nsnet.agent.sandbox;

import java.util.ArrayList;
import java.util.List;

import io.nsnet.addr.IpPrefix;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Network;
import io.nsnet.link.Link;
import io.nsnet.link.LinkKind;
import io.nsnet.link.LinkSpec;
import io.nsnet.link.MacAddress;
import io.nsnet.netlink.NetlinkException;
import io.nsnet.netns.NetNs;
import io.nsnet.route.Route;
import io.nsnet.rtnl.Rtnl;

/**
 * Sandboxes in the kernel: a named namespace (as {@code ip netns add}, so {@code ip netns exec} works) with
 * loopback up, and per network a veth pair whose peer is created directly in the sandbox as {@code ethN},
 * its host end enslaved to the bridge and marked {@code nsnet:sbx:<sandbox id>}.
 */
public final class SandboxDriver {
    public static final String ALIAS_PREFIX = "nsnet:sbx:";

    private final Rtnl host;
    private final boolean hairpin;

    /**
     * @param hairpin bridge-port hairpin mode for the host ends: on in the no-proxy layout, where hairpin
     *                traffic to a published port is DNATed back out of the port it came in on (as Docker does)
     */
    public SandboxDriver(Rtnl host, boolean hairpin) {
        this.host = host;
        this.hairpin = hairpin;
    }

    /** A sandbox namespace, open with its rtnetlink handle. */
    public record Handle(NetNs ns, Rtnl rtnl) implements AutoCloseable {
        @Override
        public void close() {
            rtnl.close();
            ns.close();
        }
    }

    /** Creates the namespace and brings its loopback up (one thread hand-off for both). */
    public Handle create(String netns) {
        NetNs.Created<Rtnl> c = Rtnl.createNamespace(netns);
        Handle h = new Handle(c.ns(), c.value());
        try {
            h.rtnl().links().setUp(h.rtnl().links().get("lo").index());
        } catch (RuntimeException e) {
            h.close();
            NetNs.delete(netns);
            throw e;
        }
        return h;
    }

    /** Opens an existing sandbox namespace. */
    public Handle open(String netns) {
        NetNs ns = NetNs.open(netns);
        try {
            return new Handle(ns, Rtnl.open(ns));
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    public boolean exists(String netns) {
        return NetNs.exists(netns);
    }

    /**
     * Connects the sandbox to a network: veth (host end on the bridge, up; peer {@code ethN} in the sandbox
     * with the endpoint's MAC and the network's MTU), the address, and the default route via the gateway when
     * {@code defaultRoute}.
     */
    public void attach(Handle sandbox, String sandboxId, Endpoint ep, Network net, int bridgeIndex, boolean defaultRoute) {
        LinkSpec.Veth spec = LinkSpec.Veth.pair(ep.hostVeth(), ep.ifname(), sandbox.ns())
                .withMtu(net.mtu()).withMaster(bridgeIndex).withUp(true)
                .withPeerMac(MacAddress.parse(ep.mac().toString()));
        // The kernel's echo of the new link gives both ends' indexes: no lookups on either side.
        Link made = host.links().addAndGet(spec);
        int hostIndex = made.index();
        host.links().setAlias(hostIndex, ALIAS_PREFIX + sandboxId);
        if (hairpin) {
            host.links().setHairpin(hostIndex, true);
        }
        Rtnl in = sandbox.rtnl();
        int eth = made.peerIndex() != 0 ? made.peerIndex() : in.links().get(ep.ifname()).index();
        in.links().setUp(eth);
        in.addresses().add(eth, IpPrefix.parse(ep.ip() + "/" + net.subnet().prefix()));
        if (defaultRoute) {
            in.routes().add(Route.defaultVia(IpPrefix.literal(net.gateway().toString()), eth));
        }
    }

    /** Whether the host end of the endpoint exists and sits on the bridge. */
    public boolean attached(Endpoint ep, int bridgeIndex) {
        return host.links().find(ep.hostVeth()).map(l -> l.masterIndex() == bridgeIndex).orElse(false);
    }

    /** Removes the endpoint's veth pair (deleting one end removes both); false if it was already gone. */
    public boolean detach(String hostVeth) {
        try {
            host.links().delete(hostVeth);
            return true;
        } catch (NetlinkException.NotFoundException e) {
            return false;
        }
    }

    /** Removes the sandbox namespace (and with it every link still inside). */
    public boolean delete(String netns) {
        return NetNs.delete(netns);
    }

    /** Host-side veths that carry nsnet's mark: (name, sandbox id). */
    public List<OwnedVeth> ownedVeths() {
        List<OwnedVeth> out = new ArrayList<>();
        for (Link l : host.links().list()) {
            if (l.kind() instanceof LinkKind.Veth && l.alias().startsWith(ALIAS_PREFIX)) {
                out.add(new OwnedVeth(l.name(), l.alias().substring(ALIAS_PREFIX.length())));
            }
        }
        return out;
    }

    /** An nsnet host veth found in the kernel. */
    public record OwnedVeth(String name, String sandboxId) {
    }
}
