package io.nsnet.rtnl;

import io.nsnet.addr.AddrOps;
import io.nsnet.link.LinkOps;
import io.nsnet.netlink.NetlinkSocket;
import io.nsnet.netns.NetNs;
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

    @Override
    public void close() {
        sock.close();
    }
}
