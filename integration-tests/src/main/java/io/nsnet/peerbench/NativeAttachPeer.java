package io.nsnet.peerbench;

import io.nsnet.addr.IpPrefix;
import io.nsnet.agent.firewall.ChainNames;
import io.nsnet.agent.firewall.FirewallState;
import io.nsnet.agent.firewall.NftBackend;
import io.nsnet.agent.firewall.Ownership;
import io.nsnet.agent.firewall.RestorePlan;
import io.nsnet.agent.firewall.RestorePlanner;
import io.nsnet.agent.firewall.RulesetGenerator;
import io.nsnet.agent.sandbox.SandboxDriver;
import io.nsnet.link.Ipv6AddrGenMode;
import io.nsnet.link.LinkRemover;
import io.nsnet.link.LinkSpec;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.route.Route;
import io.nsnet.sysctl.Sysctls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The kernel floor without any process or daemon: nsnet's native layer called in the bench's own JVM (rtnetlink
 * through JNR, as in AttachBench) doing exactly the kernel work of an attach, the way nsnetd does it: the namespace
 * is made ahead, between operations (IPv6 off, lo up, its netlink socket open), with its first veth (eth0 inside,
 * one queue each, the host end down, already on the bridge, without IPv6 address generation), and in the operation
 * it is named, the host end (re)put on the bridge, a no-op for the kernel, and up in one write, and eth0 given its
 * MAC, up, its address and the default route in another. Detach deletes the host end, then the namespace, as nsnetd does (returning once the
 * kernel has unlisted the veth, see {@link LinkRemover}). What nsnetd costs beyond this is its API, store (with the
 * fsync of each commit) and bookkeeping.
 *
 * <p>With a published port ({@link #attachWithPort}, when the daemon writes nf_tables itself), also the port's
 * kernel work: its rules committed as one nf_tables transaction by nsnet's {@link NftBackend} into the same layout
 * (the bridge network's rules committed once at the start), planned beforehand and untimed, and the host port
 * bound in the host namespace, as the daemon's proxy reserves it. Those parts are timed one after the other;
 * nsnetd commits the rules while it makes the links, so for it this is an upper bound of the floor.
 */
final class NativeAttachPeer implements AttachTool, AutoCloseable {
    static final String PORT_FLOOR = "kernel floor + port rules and bind (in-process)";
    private static final String BRIDGE = "nabr0";
    private final Namespaces namespaces;
    private final NetNs host;
    private final Rtnl hostRtnl;
    private final int bridgeIndex;
    private final LinkRemover remover;
    /** The next attach's namespace and veth, made in the background after the previous operation (as nsnetd's spare). */
    private Future<NetNs.Created<Spare>> spare;
    /** Host ends of the veths made ahead, numbered as made (the next attach's number is not known then). */
    private int spares;
    /** Attach number → the host end of its veth. */
    private final Map<Integer, String> hostEnds = new LinkedHashMap<>();
    /** Port floor: nsnet's nf_tables writer in the host namespace, or null without one. */
    private final NftBackend nft;
    private final ChainNames names = new ChainNames("NSNET");
    private final FirewallState.Network network = FirewallState.Network.bridge(BRIDGE, "10.0.0.0/16");
    /** Sandboxes attached with a port: their endpoints (in the rules) and bound host ports. */
    private final Map<Integer, FirewallState.Endpoint> published = new LinkedHashMap<>();
    private final Map<Integer, ServerSocketChannel> bound = new LinkedHashMap<>();

    NativeAttachPeer(String hostNs, Namespaces namespaces) {
        this(hostNs, namespaces, false);
    }

    /** @param portFloor also time port attaches' rules and bind ({@link #attachWithPort}) through nf_tables */
    NativeAttachPeer(String hostNs, Namespaces namespaces, boolean portFloor) {
        this.namespaces = namespaces;
        this.host = NetNs.open(hostNs);
        this.hostRtnl = Rtnl.open(host);
        hostRtnl.links().add(LinkSpec.Bridge.named(BRIDGE));
        bridgeIndex = hostRtnl.links().get(BRIDGE).index();
        new Sysctls(host).disableIpv6(BRIDGE); // as nsnetd's bridges
        hostRtnl.addresses().add(bridgeIndex, IpPrefix.parse("10.0.0.1/16"));
        hostRtnl.links().setUp(bridgeIndex);
        remover = new LinkRemover(host, 4);
        if (portFloor) {
            nft = new NftBackend(host);
            nft.commit(plan(List.of())); // the network's own rules, as nsnetd has them before any port
        } else {
            nft = null;
        }
        spare = makeSpare();
    }

    /**
     * Attach i with host port {@link AttachTool#hostPort} → 80: the links as {@link #attach}, the port's rules
     * committed, the host port bound. Returns the kernel's time in milliseconds (links wall time, the commit from
     * sending the batch to the last answer, and the bind), planning excluded.
     */
    double attachWithPort(int i) {
        if (nft == null) {
            throw new IllegalStateException("port floor not enabled");
        }
        FirewallState.Endpoint ep = new FirewallState.Endpoint(AttachTool.address(i), BRIDGE, List.of(
                new FirewallState.PublishedPort(null, AttachTool.hostPort(i), 80, FirewallState.Protocol.TCP)));
        List<FirewallState.Endpoint> next = new ArrayList<>(published.values());
        next.add(ep);
        RestorePlan plan = plan(next);
        long t0 = System.nanoTime();
        attach(i, false);
        double linksMs = (System.nanoTime() - t0) / 1e6;
        nft.commit(plan);
        double commitMs = nft.lastCommitNanos() / 1e6;
        long t1 = System.nanoTime();
        ServerSocketChannel s = host.call(() -> {
            ServerSocketChannel c = ServerSocketChannel.open();
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            c.bind(new InetSocketAddress("0.0.0.0", AttachTool.hostPort(i)), 128);
            return c;
        });
        double bindMs = (System.nanoTime() - t1) / 1e6;
        published.put(i, ep);
        bound.put(i, s);
        return linksMs + commitMs + bindMs;
    }

    boolean hasPortFloor() {
        return nft != null;
    }

    /** Detaches a sandbox attached with a port: its rules and socket go first (untimed), then as {@link #detach}. */
    void detachWithPort(int i) {
        if (published.remove(i) != null) {
            nft.commit(plan(new ArrayList<>(published.values())));
        }
        ServerSocketChannel s = bound.remove(i);
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        detach(i);
    }

    private RestorePlan plan(List<FirewallState.Endpoint> endpoints) {
        FirewallState state = new FirewallState(names.prefix(), true, List.of(network), endpoints);
        return RestorePlanner.plan(nft.readLive(), RulesetGenerator.generate(state), new Ownership(names,
                List.of(network)));
    }

    /** A namespace made ahead: its netlink handle and its veth, as nsnetd's spare (SandboxDriver#prepareSpare). */
    private record Spare(Rtnl rtnl, String hostEnd, int hostIndex, int eth0) {
    }

    private Future<NetNs.Created<Spare>> makeSpare() {
        String hostEnd = "nvs" + spares++;
        return NetNs.createUnnamed(NetNs.defaultExecutor(), () -> {
            Rtnl r = SandboxDriver.prepareInside();
            try {
                io.nsnet.link.Link eth0 = r.links().addAndGet(LinkSpec.Veth.pair("eth0", hostEnd, host).withQueues(1));
                hostRtnl.batch().setIpv6AddrGenMode(eth0.peerIndex(), Ipv6AddrGenMode.NONE).send();
                hostRtnl.links().setMaster(eth0.peerIndex(), bridgeIndex); // down: as nsnetd's spare, ahead
                return new Spare(r, hostEnd, eth0.peerIndex(), eth0.index());
            } catch (RuntimeException e) {
                r.close();
                throw e;
            }
        });
    }

    private NetNs.Created<Spare> takeSpare() {
        try {
            return spare.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot make a namespace: " + e.getCause(), e.getCause());
        } finally {
            spare = null;
        }
    }

    @Override
    public String name() {
        return "kernel floor (native layer in-process)";
    }

    @Override
    public void attach(int i, boolean port) {
        NetNs.Created<Spare> made = takeSpare();
        Spare s = made.value();
        hostEnds.put(i, s.hostEnd());
        try (NetNs ns = made.ns(); Rtnl inner = s.rtnl()) {
            ns.giveName(namespaces.name("n" + i));
            hostRtnl.batch().setMaster(s.hostIndex(), bridgeIndex).linkUp(s.hostIndex()).send();
            inner.batch().linkUp(s.eth0(), io.nsnet.link.MacAddress.parse(
                    io.nsnet.agent.model.MacAddress.fromIpv4(io.nsnet.agent.model.Ipv4.parse(AttachTool.address(i))).toString()))
                    .addAddress(s.eth0(), IpPrefix.parse(AttachTool.address(i) + "/16"))
                    .addRoute(Route.defaultVia(IpPrefix.literal("10.0.0.1"), s.eth0())).send();
        } finally {
            spare = makeSpare(); // runs while the bench waits before its next operation
        }
    }

    @Override
    public void detach(int i) {
        remover.delete(hostEnds.remove(i));
        NetNs.delete(namespaces.name("n" + i));
    }

    @Override
    public double cpuMs() {
        return io.nsnet.bench.CpuClock.now()[0]; // the whole bench JVM: an upper bound
    }

    @Override
    public void close() {
        for (ServerSocketChannel s : bound.values()) {
            try {
                s.close();
            } catch (IOException e) {
                // closing at the end of the bench: the namespace sweep follows
            }
        }
        if (spare != null) {
            NetNs.Created<Spare> left = takeSpare();
            try {
                remover.delete(left.value().hostEnd());
            } finally {
                left.value().rtnl().close();
                left.ns().close();
            }
        }
        remover.close();
        hostRtnl.close();
        host.close();
    }
}
