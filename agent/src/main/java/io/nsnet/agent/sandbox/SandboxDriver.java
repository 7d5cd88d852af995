package io.nsnet.agent.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import io.nsnet.addr.IpPrefix;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Network;
import io.nsnet.link.Ipv6AddrGenMode;
import io.nsnet.link.Link;
import io.nsnet.link.LinkKind;
import io.nsnet.link.LinkRemover;
import io.nsnet.link.LinkSpec;
import io.nsnet.link.MacAddress;
import io.nsnet.netlink.InFlight;
import io.nsnet.netlink.NetlinkException;
import io.nsnet.netns.NetNs;
import io.nsnet.route.Route;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.sysctl.Sysctls;

/**
 * Sandboxes in the kernel: a named namespace (as {@code ip netns add}, so {@code ip netns exec} works) with
 * loopback up, and per network a veth pair whose peer is created directly in the sandbox as {@code ethN},
 * its host end enslaved to the bridge and marked {@code nsnet:sbx:<sandbox id>}.
 */
public final class SandboxDriver implements AutoCloseable {
    public static final String ALIAS_PREFIX = "nsnet:sbx:";
    /**
     * The alias of the host end of the veth made ahead in the spare namespace: not a sandbox's (reconcile leaves it
     * alone), and there for whoever lists the host's links to see what it is.
     */
    public static final String SPARE_ALIAS = "nsnet:spare";
    private static final String FIRST_IFNAME = "eth0";

    private final Rtnl host;
    private final NetNs hostNs;
    private final LinkRemover remover;
    private final boolean hairpin;
    /** Names for the veth made ahead in the spare namespace; null to make none. */
    private final Supplier<String> spareVethNames;
    private final Object spareLock = new Object();
    /** The namespace made ahead for the next create, ready or being made; guarded by {@link #spareLock}. */
    private Future<NetNs.Created<Inside>> spare;
    /** Set by {@link #close}; guarded by {@link #spareLock}. */
    private boolean closed;
    /** Where the last sandbox's first veth was plugged: where the next spare's veth is put ahead; null before. */
    private volatile SpareTarget spareTarget;

    /** A bridge (by index) and the MTU of its network's veths (0: the kernel's default). */
    private record SpareTarget(int bridgeIndex, int mtu) {
    }

    /**
     * A driver whose spare namespace has no veth made ahead.
     *
     * @param hairpin bridge-port hairpin mode for the host ends: on in the no-proxy layout, where hairpin
     *                traffic to a published port is DNATed back out of the port it came in on (as Docker does)
     */
    public SandboxDriver(Rtnl host, LinkRemover remover, boolean hairpin) {
        this(host, null, remover, hairpin, null);
    }

    /**
     * @param hostNs         the host namespace {@code host} talks to, where a spare's veth has its host end
     * @param spareVethNames names for the host end of the veth made ahead in each spare namespace (see {@link #plug});
     *                       null to make none
     */
    public SandboxDriver(Rtnl host, NetNs hostNs, LinkRemover remover, boolean hairpin, Supplier<String> spareVethNames) {
        if (spareVethNames != null && hostNs == null) {
            throw new IllegalArgumentException("a veth made ahead needs the host namespace");
        }
        this.host = host;
        this.hostNs = hostNs;
        this.remover = remover;
        this.hairpin = hairpin;
        this.spareVethNames = spareVethNames;
    }

    /** What a namespace made ahead holds: its netlink handle and, if one was made, its first veth. */
    private record Inside(Rtnl rtnl, Plugged veth, int vethMtu) {
    }

    /**
     * A sandbox namespace, open with its rtnetlink handle. One made ahead may not have its name yet: {@link #name}
     * gives it, and may run on another thread while {@link #attach} makes the links, which only need the namespace
     * open.
     */
    public static final class Handle implements AutoCloseable {
        private final NetNs ns;
        private final Rtnl rtnl;
        /** Guarded by this: the name still to give, null once named. */
        private String unnamed;
        /** Guarded by this: the veth made ahead in the namespace, not yet plugged; null if none. */
        private Plugged ahead;
        private final int aheadMtu;

        Handle(NetNs ns, Rtnl rtnl, String unnamed) {
            this(ns, rtnl, unnamed, null, 0);
        }

        Handle(NetNs ns, Rtnl rtnl, String unnamed, Plugged ahead, int aheadMtu) {
            this.ns = ns;
            this.rtnl = rtnl;
            this.unnamed = unnamed;
            this.ahead = ahead;
            this.aheadMtu = aheadMtu;
        }

        /**
         * The host end's name of the veth made ahead in this namespace (its peer is {@code eth0}), if there is one
         * still to plug: the first endpoint's veth should take this name, so that {@link #plug} only has to put it
         * on its bridge.
         */
        public synchronized Optional<String> vethAhead() {
            return Optional.ofNullable(ahead).map(Plugged::hostVeth);
        }

        /** The veth made ahead, if any; it is then no longer ahead. */
        private synchronized Plugged claimAny() {
            Plugged p = ahead;
            ahead = null;
            return p;
        }

        /** The veth made ahead, if it is {@code hostVeth} with peer {@code ifname}; it is then no longer ahead. */
        private synchronized Plugged claim(String hostVeth, String ifname) {
            boolean same = ahead != null && ahead.hostVeth().equals(hostVeth) && FIRST_IFNAME.equals(ifname);
            return same ? claimAny() : null;
        }

        public NetNs ns() {
            return ns;
        }

        public Rtnl rtnl() {
            return rtnl;
        }

        /** Names the namespace under /run/netns (a bind mount), if it has no name yet. */
        public synchronized void name() {
            if (unnamed != null) {
                ns.giveName(unnamed); // this handle's descriptor is the namespace: nothing to open again
                unnamed = null;
            }
        }

        @Override
        public void close() {
            rtnl.close();
            ns.close();
        }
    }

    /**
     * Creates the namespace, named, and brings its loopback up (see {@link #take}), for a sandbox whose veths have
     * their names already: a veth made ahead in it is removed.
     */
    public Handle create(String netns) {
        Handle h = take(netns);
        try {
            dropAhead(h);
            h.name();
            return h;
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
    }

    /**
     * The namespace for a new sandbox, loopback up, still to be named with {@link Handle#name}: until then it lives
     * only as long as the handle (a daemon that dies leaves nothing), so it can be given links before the sandbox's
     * row is committed. Uses the spare namespace made by {@link #prepareSpare} when there is one (waiting for it if it
     * is still being made): it then only needs its name, a bind mount, instead of an unshare (~0.8 ms, over a third
     * of an attach's kernel work) and a thread hand-off. Without a spare, one is made now, unnamed as well.
     */
    public Handle take(String netns) {
        Optional<NetNs.Created<Inside>> s = takeSpare();
        if (s.isPresent()) {
            Inside in = s.get().value();
            return new Handle(s.get().ns(), in.rtnl(), netns, in.veth(), in.vethMtu());
        }
        NetNs.Created<Rtnl> made = InFlight.await(NetNs.createUnnamed(NetNs.defaultExecutor(),
                SandboxDriver::prepareInside));
        return new Handle(made.ns(), made.value(), netns);
    }

    /**
     * Starts making a spare namespace (loopback up, netlink socket open) in the background, unless one is
     * ready or on its way, so that the next {@link #create} finds one. Called once an operation has finished,
     * not during it: namespace creation takes the kernel's rtnl lock, which the operation's own changes need.
     * The spare has no name, so it disappears with the daemon and is nothing for reconcile to find.
     */
    public void prepareSpare() {
        synchronized (spareLock) {
            if (spare == null && !closed) {
                spare = NetNs.createUnnamed(NetNs.defaultExecutor(), this::prepareSpareInside);
            }
        }
    }

    /**
     * Runs inside a new namespace, before it has any link: IPv6 off, loopback up, and its netlink handle. The
     * handle only ever sends the sandbox's setup requests, so it gets a small receive buffer.
     *
     * <p>IPv6 is off because nsnet's networks are IPv4 only, and Docker 20.10 leaves a container on such a
     * network without it too (no {@code ::1} on lo, no {@code fe80::} on eth0: see the reference dumps). With
     * it on, every new sandbox's eth0 sends duplicate-address probes, MLD reports and router solicitations
     * that the bridge floods to every other port, and every other sandbox processes them: at 500 sandboxes on
     * one bridge that traffic took a fifth of this 2-CPU machine during attaches. A neighbour could also reach
     * the sandbox over link-local IPv6, which none of nsnet's (IPv4) rules cover.
     *
     * <p>Public so that the bench's in-process kernel floor prepares its namespaces exactly this way.
     */
    public static Rtnl prepareInside() {
        disableIpv6();
        Rtnl r = Rtnl.openForRequests();
        try {
            r.links().setUp(r.links().get("lo").index());
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /**
     * Inside a spare namespace: as {@link #prepareInside}, then the first veth, made ahead so that an attach only has
     * to put it on its bridge and bring it up (see {@link #plug}). Making a veth across namespaces is the costliest
     * kernel step of an attach (0.64-0.90 ms in-process, growing with the host's links).
     *
     * <p>Its peer is {@code eth0} here; its host end sits down, marked {@link #SPARE_ALIAS}, with no IPv6 address
     * generation (see {@link #plug}), on the bridge the last sandbox was plugged into, with that network's MTU: the
     * next sandbox most likely goes there too, and joining a bridge is the costliest step left of plugging, growing
     * with the bridge's ports (the kernel recomputes the bridge's features, MTU and id over all of them: ~0.4 ms at
     * 300 ports, measured with ip). A port that is down forwards nothing. A sandbox for another network moves it.
     * It goes with this namespace: a daemon that dies, or drops the spare, leaves nothing. Made from in here, with
     * the host end sent out, because the namespace has no descriptor to be named by until this returns. If any of it
     * fails, the spare is dropped (and the veth with it): the next create makes its namespace and veth itself.
     */
    private Inside prepareSpareInside() {
        Rtnl r = prepareInside();
        if (spareVethNames == null) {
            return new Inside(r, null, 0);
        }
        try {
            String name = spareVethNames.get();
            SpareTarget target = spareTarget;
            LinkSpec.Veth spec = LinkSpec.Veth.pair(FIRST_IFNAME, name, hostNs).withQueues(1);
            if (target != null && target.mtu() != 0) {
                spec = spec.withMtu(target.mtu());
            }
            Link eth = r.links().addAndGet(spec);
            int hostIndex = eth.peerIndex() != 0 ? eth.peerIndex() : host.links().get(name).index();
            host.batch().setAlias(hostIndex, SPARE_ALIAS).setIpv6AddrGenMode(hostIndex, Ipv6AddrGenMode.NONE).send();
            if (target != null) {
                try {
                    host.links().setMaster(hostIndex, target.bridgeIndex());
                } catch (NetlinkException gone) {
                    // The bridge went with its network meanwhile: the veth waits on no bridge.
                }
            }
            return new Inside(r, new Plugged(name, hostIndex, eth.index()), eth.mtu());
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /**
     * Writing {@code all} also sets {@code default}, so links made here later start without IPv6. /proc/sys/net
     * is the calling thread's namespace: this runs on the thread that made it. A kernel without IPv6 has nothing
     * to turn off.
     */
    private static void disableIpv6() {
        Sysctls.setOnThisThread("net.ipv6.conf.all.disable_ipv6", "1");
    }

    /** The spare, waiting for it if it is being made; empty if there is none or making it failed. */
    private Optional<NetNs.Created<Inside>> takeSpare() {
        Future<NetNs.Created<Inside>> f;
        synchronized (spareLock) {
            f = spare;
            spare = null;
        }
        if (f == null) {
            return Optional.empty();
        }
        boolean interrupted = false;
        try {
            // Uninterruptibly: it takes a millisecond, and a spare left behind unclaimed would keep its namespace.
            while (true) {
                try {
                    return Optional.of(f.get());
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            // Creating it inline will fail the same way if the cause persists, and then say why.
            return Optional.empty();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Releases the spare namespace, if any; no new one is made afterwards. */
    @Override
    public void close() {
        synchronized (spareLock) {
            closed = true;
        }
        takeSpare().ifPresent(s -> {
            try {
                if (s.value().veth() != null) {
                    // At once: the namespace's own teardown is deferred by the kernel, and its veth would linger.
                    detach(s.value().veth().hostVeth());
                }
            } finally {
                s.value().rtnl().close();
                s.ns().close();
            }
        });
    }

    /**
     * Removes the veth made ahead in the namespace if it was not plugged (a sandbox on no network, or one made again
     * by reconcile under its stored names).
     */
    public void dropAhead(Handle sandbox) {
        Plugged unused = sandbox.claimAny();
        if (unused != null) {
            detach(unused.hostVeth());
        }
    }

    /** Opens an existing sandbox namespace. */
    public Handle open(String netns) {
        NetNs ns = NetNs.open(netns);
        try {
            return new Handle(ns, Rtnl.open(ns), null);
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
     * {@code defaultRoute}. The two halves, {@link #plug} and {@link #configure}, in one go.
     */
    public void attach(Handle sandbox, String sandboxId, Endpoint ep, Network net, int bridgeIndex, boolean defaultRoute) {
        configure(sandbox, plug(sandbox, sandboxId, ep.hostVeth(), ep.ifname(), net.mtu(), bridgeIndex), ep, net,
                defaultRoute);
    }

    /** A veth made by {@link #plug}: its host end's name and both ends' indexes. */
    public record Plugged(String hostVeth, int hostIndex, int peerIndex) {
    }

    /**
     * The half of an attach that needs no address: the veth pair, its host end marked for the sandbox, on the
     * bridge and up, its peer {@code ifname} in the sandbox, still down. Everything it needs is known before the
     * sandbox's address is allocated, so it can run while the address is (see the engine's create).
     */
    public Plugged plug(Handle sandbox, String sandboxId, String hostVeth, String ifname, int mtu, int bridgeIndex) {
        Plugged ahead = sandbox.claim(hostVeth, ifname);
        if (FIRST_IFNAME.equals(ifname)) {
            spareTarget = new SpareTarget(bridgeIndex, mtu);
        }
        if (ahead != null) {
            return plugAhead(sandbox, sandboxId, ahead, mtu, bridgeIndex);
        }
        LinkSpec.Veth spec = LinkSpec.Veth.pair(hostVeth, ifname, sandbox.ns())
                .withMtu(mtu).withMaster(bridgeIndex)
                // One queue each, the one queue the kernel's default leaves active: by default it allocates
                // one per possible CPU and then cuts the active count to one on each end, and each cut waits
                // for an RCU grace period under RTNL (two per attach; measured ~0.1 ms per pair back to back).
                .withQueues(1);
        // The kernel's echo of the new link gives both ends' indexes: no lookups on either side.
        Link made = host.links().addAndGet(spec);
        int hostIndex = made.index();
        // The kernel ignores an alias in the create request, so it is set after, and while the link is still
        // down: on a link that is up, an alias change is a NETDEV_CHANGE, and IPv6 answers one on a link
        // without carrier (its peer is not up yet) by walking the namespace's whole IPv6 routing table, which
        // grows with every host veth (measured: 0.3 ms per attach at 500 sandboxes). Up comes last, in the
        // same write.
        //
        // The host end gets no IPv6 link-local address: as a bridge port it carries no addresses of its own (the
        // bridge does the host's L3, and nsnet's bridges have no IPv6), so the address, its fe80::/64 route, its
        // duplicate-address probe and solicitations were only work, at attach and again at detach. Paired, two
        // daemons, 400 attaches: attach 0.956, detach 0.914; with a port 0.979 and 0.94. Set while the link is
        // down: the mode only matters when it comes up.
        Rtnl.Batch hostSide = host.batch().setAlias(hostIndex, ALIAS_PREFIX + sandboxId)
                .setIpv6AddrGenMode(hostIndex, Ipv6AddrGenMode.NONE);
        if (hairpin) {
            hostSide.setHairpin(hostIndex, true);
        }
        hostSide.linkUp(hostIndex).send();
        int peer = made.peerIndex() != 0 ? made.peerIndex() : sandbox.rtnl().links().get(ifname).index();
        return new Plugged(hostVeth, hostIndex, peer);
    }

    /**
     * {@link #plug} for the veth made ahead in the namespace (see {@link #prepareSpareInside}): its MTU if the network
     * has another, then, in one write, onto the bridge (nothing for the kernel to do if it was put there ahead: a
     * link's master set to the one it has is left as it is), marked for the sandbox (while still down, see
     * {@link #plug}), hairpin where wanted, and up.
     */
    private Plugged plugAhead(Handle sandbox, String sandboxId, Plugged ahead, int mtu, int bridgeIndex) {
        int index = ahead.hostIndex();
        boolean otherMtu = mtu != 0 && mtu != sandbox.aheadMtu;
        Rtnl.Batch hostSide = host.batch();
        if (otherMtu) {
            hostSide.setMtu(index, mtu);
        }
        hostSide.setMaster(index, bridgeIndex).setAlias(index, ALIAS_PREFIX + sandboxId);
        if (hairpin) {
            hostSide.setHairpin(index, true);
        }
        hostSide.linkUp(index).send();
        if (otherMtu) {
            sandbox.rtnl().links().setMtu(ahead.peerIndex(), mtu);
        }
        return ahead;
    }

    /**
     * The other half, inside the sandbox: the endpoint's MAC (derived from its address, so only known now) and up
     * in one change, the address, and the default route when {@code defaultRoute}.
     */
    public void configure(Handle sandbox, Plugged plugged, Endpoint ep, Network net, boolean defaultRoute) {
        if (!plugged.hostVeth().equals(ep.hostVeth())) {
            throw new IllegalArgumentException("endpoint " + ep.ifname() + " is on " + ep.hostVeth() + ", not on "
                    + plugged.hostVeth());
        }
        int eth = plugged.peerIndex();
        // The sandbox side in one write: after any failure the caller deletes the veth, and its address and
        // routes go with it, so a later change applied after an earlier failed one leaves nothing behind.
        Rtnl.Batch inside = sandbox.rtnl().batch().linkUp(eth, MacAddress.parse(ep.mac().toString()))
                .addAddress(eth, IpPrefix.parse(ep.ip() + "/" + net.subnet().prefix()));
        if (defaultRoute) {
            inside.addRoute(Route.defaultVia(IpPrefix.literal(net.gateway().toString()), eth));
        }
        inside.send();
    }

    /**
     * Whether everything {@link #attach} makes for the endpoint is there: the host end marked, on the bridge and
     * up (hairpin on where the layout wants it), and inside the interface up with its address and, for the
     * default-route endpoint, the route. Several dumps, one of them inside the sandbox: meant for the one sandbox a
     * crash may have cut short while its links were being made, not for every sandbox at every start.
     */
    public boolean complete(Handle sandbox, String sandboxId, Endpoint ep, Network net, int bridgeIndex,
            boolean defaultRoute) {
        Optional<Link> hostEnd = host.links().find(ep.hostVeth());
        if (hostEnd.isEmpty() || !hostEnd.get().isUp() || hostEnd.get().masterIndex() != bridgeIndex
                || !hostEnd.get().alias().equals(ALIAS_PREFIX + sandboxId)) {
            return false;
        }
        // The hairpin flag is the one part of attach no dump here shows; the host batch that sets it also sets
        // the alias and up, both checked above, and is one netlink write.
        Rtnl in = sandbox.rtnl();
        Optional<Link> eth = in.links().find(ep.ifname());
        if (eth.isEmpty() || !eth.get().isUp()) {
            return false;
        }
        int index = eth.get().index();
        IpPrefix address = IpPrefix.parse(ep.ip() + "/" + net.subnet().prefix());
        if (in.addresses().list(io.nsnet.netlink.Nl.AF_INET, index).stream().noneMatch(a -> a.prefix().equals(address))) {
            return false;
        }
        if (!defaultRoute) {
            return true;
        }
        java.net.InetAddress gateway = IpPrefix.literal(net.gateway().toString());
        return in.routes().list(io.nsnet.netlink.Nl.AF_INET).stream()
                .anyMatch(r -> r.isDefault() && gateway.equals(r.gateway()) && r.linkIndex() == index);
    }

    /** Whether the host end of the endpoint exists and sits on the bridge. */
    public boolean attached(Endpoint ep, int bridgeIndex) {
        return host.links().find(ep.hostVeth()).map(l -> l.masterIndex() == bridgeIndex).orElse(false);
    }

    /**
     * Removes the endpoint's veth pair (deleting one end removes both), returning once the kernel has unlisted
     * it (see {@link LinkRemover}); false if it was already gone.
     */
    public boolean detach(String hostVeth) {
        try {
            remover.delete(hostVeth);
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
