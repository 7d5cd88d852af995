package io.nsnet.route;

import java.net.InetAddress;

import io.nsnet.addr.IpPrefix;
import io.nsnet.netlink.Nl;

/**
 * A route. {@code destination} null is the default route; {@code gateway} null is a direct (link) route;
 * {@code linkIndex} 0 lets the kernel pick the device from the gateway.
 */
public record Route(IpPrefix destination, InetAddress gateway, int linkIndex, int table, int protocol, int scope,
        int family) {

    /** {@code default via GW [dev IDX]} in the main table, as {@code ip route add} makes it. */
    public static Route defaultVia(InetAddress gateway, int linkIndex) {
        return new Route(null, gateway, linkIndex, Nl.RT_TABLE_MAIN, Nl.RTPROT_BOOT, Nl.RT_SCOPE_UNIVERSE,
                gateway instanceof java.net.Inet4Address ? Nl.AF_INET : Nl.AF_INET6);
    }

    /** {@code DST dev IDX scope link}. */
    public static Route direct(IpPrefix destination, int linkIndex) {
        return new Route(destination, null, linkIndex, Nl.RT_TABLE_MAIN, Nl.RTPROT_BOOT, Nl.RT_SCOPE_LINK,
                destination.family());
    }

    /** {@code DST via GW}. */
    public static Route via(IpPrefix destination, InetAddress gateway, int linkIndex) {
        return new Route(destination, gateway, linkIndex, Nl.RT_TABLE_MAIN, Nl.RTPROT_BOOT, Nl.RT_SCOPE_UNIVERSE,
                destination.family());
    }

    public boolean isDefault() {
        return destination == null || destination.prefixLength() == 0;
    }
}
