package io.nsnet.peerbench;

import io.nsnet.addr.IpPrefix;
import io.nsnet.agent.sandbox.SandboxDriver;
import io.nsnet.link.LinkRemover;
import io.nsnet.link.LinkSpec;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.route.Route;
import io.nsnet.sysctl.Sysctls;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The kernel floor without any process or daemon: nsnet's native layer called in the bench's own JVM (rtnetlink
 * through JNR, as in AttachBench) doing exactly the kernel work of an attach, the way nsnetd does it: the namespace
 * is made ahead, between operations (IPv6 off, lo up, its netlink socket open) and only named in the operation;
 * then a veth with its peer created inside as eth0 (one queue each), the host end on the bridge and up, eth0 up
 * with its address, and the default route. Detach deletes the host end, then the namespace, as nsnetd does
 * (returning once the kernel has unlisted the veth, see {@link LinkRemover}). What nsnetd costs beyond this is its
 * API, store and bookkeeping.
 */
final class NativeAttachPeer implements AttachTool, AutoCloseable {
    private static final String BRIDGE = "nabr0";
    private final Namespaces namespaces;
    private final NetNs host;
    private final Rtnl hostRtnl;
    private final int bridgeIndex;
    private final LinkRemover remover;
    /** The next attach's namespace, made in the background after the previous operation (as nsnetd's spare). */
    private Future<NetNs.Created<Rtnl>> spare;

    NativeAttachPeer(String hostNs, Namespaces namespaces) {
        this.namespaces = namespaces;
        this.host = NetNs.open(hostNs);
        this.hostRtnl = Rtnl.open(host);
        hostRtnl.links().add(LinkSpec.Bridge.named(BRIDGE));
        bridgeIndex = hostRtnl.links().get(BRIDGE).index();
        new Sysctls(host).disableIpv6(BRIDGE); // as nsnetd's bridges
        hostRtnl.addresses().add(bridgeIndex, IpPrefix.parse("10.0.0.1/16"));
        hostRtnl.links().setUp(bridgeIndex);
        remover = new LinkRemover(host, 4);
        spare = makeSpare();
    }

    private static Future<NetNs.Created<Rtnl>> makeSpare() {
        return NetNs.createUnnamed(NetNs.defaultExecutor(), SandboxDriver::prepareInside);
    }

    private NetNs.Created<Rtnl> takeSpare() {
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
        NetNs.Created<Rtnl> made = takeSpare();
        try (NetNs unnamed = made.ns(); Rtnl inner = made.value(); NetNs ns = unnamed.bindName(namespaces.name("n" + i))) {
            hostRtnl.links().add(LinkSpec.Veth.pair("nv" + i, "eth0", ns).withMaster(bridgeIndex).withUp(true)
                    .withQueues(1));
            int eth0 = inner.links().get("eth0").index();
            inner.links().setUp(eth0);
            inner.addresses().add(eth0, IpPrefix.parse(AttachTool.address(i) + "/16"));
            inner.routes().add(Route.defaultVia(IpPrefix.literal("10.0.0.1"), eth0));
        } finally {
            spare = makeSpare(); // runs while the bench waits before its next operation
        }
    }

    @Override
    public void detach(int i) {
        remover.delete("nv" + i);
        NetNs.delete(namespaces.name("n" + i));
    }

    @Override
    public double cpuMs() {
        return io.nsnet.bench.CpuClock.now()[0]; // the whole bench JVM: an upper bound
    }

    @Override
    public void close() {
        if (spare != null) {
            NetNs.Created<Rtnl> left = takeSpare();
            left.value().close();
            left.ns().close();
        }
        remover.close();
        hostRtnl.close();
        host.close();
    }
}
