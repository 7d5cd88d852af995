package io.nsnet.route;

import java.util.List;

import io.nsnet.netlink.NetlinkSocket;
import io.nsnet.netlink.Nl;

/** Route operations in the namespace the socket belongs to. */
public final class RouteOps {
    private final NetlinkSocket sock;

    public RouteOps(NetlinkSocket sock) {
        this.sock = sock;
    }

    public void add(Route r) {
        sock.request(RouteMessages.add(r), "add route " + describe(r));
    }

    public void delete(Route r) {
        sock.request(RouteMessages.delete(r), "delete route " + describe(r));
    }

    /** Unicast routes of the main table for the family (Nl.AF_INET or Nl.AF_INET6). */
    public List<Route> list(int family) {
        return sock.dump(RouteMessages.dump(family), "list routes").stream()
                .filter(m -> m.type() == Nl.RTM_NEWROUTE && RouteMessages.type(m) == Nl.RTN_UNICAST)
                .map(RouteMessages::parse).filter(r -> r.table() == Nl.RT_TABLE_MAIN).toList();
    }

    /** How errors name a route: "default via 10.0.0.1 dev #3". */
    public static String describe(Route r) {
        return (r.destination() == null ? "default" : r.destination().toString())
                + (r.gateway() == null ? "" : " via " + r.gateway().getHostAddress())
                + (r.linkIndex() == 0 ? "" : " dev #" + r.linkIndex());
    }
}
