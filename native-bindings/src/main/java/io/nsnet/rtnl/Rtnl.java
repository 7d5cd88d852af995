package io.nsnet.rtnl;

import java.util.ArrayList;
import java.util.List;

import io.nsnet.addr.AddrMessages;
import io.nsnet.addr.AddrOps;
import io.nsnet.addr.IpPrefix;
import io.nsnet.link.Ipv6AddrGenMode;
import io.nsnet.link.LinkMessages;
import io.nsnet.link.LinkOps;
import io.nsnet.link.MacAddress;
import io.nsnet.netlink.NetlinkSocket;
import io.nsnet.netlink.Nl;
import io.nsnet.netns.NetNs;
import io.nsnet.route.Route;
import io.nsnet.route.RouteMessages;
import io.nsnet.route.RouteOps;

/**
 * A handle on one network namespace's rtnetlink, bound to that namespace when it is opened (its socket is
 * created on a thread inside the namespace) and usable from any thread afterwards.
 */
public final class Rtnl implements AutoCloseable {
    private final NetlinkSocket sock;
    private final LinkOps links;
    private final AddrOps addresses;
    private final RouteOps routes;

    private Rtnl(NetlinkSocket sock) {
        this.sock = sock;
        this.links = new LinkOps(sock);
        this.addresses = new AddrOps(sock);
        this.routes = new RouteOps(sock);
    }

    /** A handle on the calling thread's namespace. */
    public static Rtnl open() {
        return new Rtnl(NetlinkSocket.open());
    }

    /**
     * A handle on the calling thread's namespace for requests with small answers only, no dumps (see
     * {@link NetlinkSocket#openForRequests}): for a sandbox namespace's setup.
     */
    public static Rtnl openForRequests() {
        return new Rtnl(NetlinkSocket.openForRequests());
    }

    /** A handle over a socket already opened in the wanted namespace (see NetNs#create with a task). */
    public static Rtnl of(NetlinkSocket sock) {
        return new Rtnl(sock);
    }

    /** Creates the named namespace and returns it with a handle on it, in one thread hand-off. */
    public static NetNs.Created<Rtnl> createNamespace(String name) {
        NetNs.Created<NetlinkSocket> c = NetNs.create(name, NetlinkSocket::open);
        return new NetNs.Created<>(c.ns(), new Rtnl(c.value()));
    }

    /** A handle on {@code ns}. */
    public static Rtnl open(NetNs ns) {
        return new Rtnl(ns.call(NetlinkSocket::open));
    }

    public LinkOps links() {
        return links;
    }

    public AddrOps addresses() {
        return addresses;
    }

    public RouteOps routes() {
        return routes;
    }

    /** Changes to send together in one write; see {@link Batch}. */
    public Batch batch() {
        return new Batch();
    }

    /**
     * Changes collected and then sent in one write, each acknowledged by the kernel in order
     * ({@link NetlinkSocket#requestAll}): one system call instead of one per change. The kernel does not stop at
     * a failed change, so batch only changes whose later ones are harmless after an earlier failure (e.g. the
     * setup of a new interface, which is removed as a whole on error).
     */
    public final class Batch {
        private final List<NetlinkSocket.Op> ops = new ArrayList<>();

        private Batch() {
        }

        public Batch linkUp(int index) {
            ops.add(new NetlinkSocket.Op(LinkMessages.modify(index, Nl.IFF_UP, Nl.IFF_UP), "set link #" + index + " up"));
            return this;
        }

        /** Sets the link's MAC address, then brings it up, in one change. */
        public Batch linkUp(int index, MacAddress mac) {
            ops.add(new NetlinkSocket.Op(LinkMessages.upWithMac(index, mac), "set MAC " + mac + " on link #" + index
                    + " and up"));
            return this;
        }

        /** Enslaves the link to {@code masterIndex} (a bridge), or frees it with 0. */
        public Batch setMaster(int index, int masterIndex) {
            ops.add(new NetlinkSocket.Op(LinkMessages.modify(index, 0, 0).attrU32(Nl.IFLA_MASTER, masterIndex),
                    "set master of link #" + index + " to #" + masterIndex));
            return this;
        }

        public Batch setMtu(int index, int mtu) {
            if (mtu < 68 || mtu > 65535) {
                throw new IllegalArgumentException("mtu " + mtu + " is out of range 68-65535");
            }
            ops.add(new NetlinkSocket.Op(LinkMessages.modify(index, 0, 0).attrU32(Nl.IFLA_MTU, mtu),
                    "set mtu of link #" + index));
            return this;
        }

        public Batch setAlias(int index, String alias) {
            ops.add(new NetlinkSocket.Op(LinkMessages.setAlias(index, alias), "set alias of link #" + index));
            return this;
        }

        /** How IPv6 makes the link's link-local address; only takes effect at the link's next up. */
        public Batch setIpv6AddrGenMode(int index, Ipv6AddrGenMode mode) {
            ops.add(new NetlinkSocket.Op(LinkMessages.setIpv6AddrGenMode(index, mode),
                    "set IPv6 address generation " + mode + " on link #" + index));
            return this;
        }

        /** Bridge-port hairpin mode: whether frames may leave through the port they came in on. */
        public Batch setHairpin(int index, boolean on) {
            ops.add(new NetlinkSocket.Op(LinkMessages.setHairpin(index, on),
                    "set hairpin " + (on ? "on" : "off") + " on link #" + index));
            return this;
        }

        public Batch addAddress(int linkIndex, IpPrefix prefix) {
            ops.add(new NetlinkSocket.Op(AddrMessages.add(linkIndex, prefix),
                    "add address " + prefix + " to link #" + linkIndex));
            return this;
        }

        public Batch addRoute(Route r) {
            ops.add(new NetlinkSocket.Op(RouteMessages.add(r), "add route " + RouteOps.describe(r)));
            return this;
        }

        /** Sends everything collected; throws the first failure after every change was answered. */
        public void send() {
            sock.requestAll(List.copyOf(ops));
        }
    }

    @Override
    public void close() {
        sock.close();
    }
}
