package io.nsnet.addr;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address with a prefix length: 10.0.0.2/24, fd00::1/64. */
public record IpPrefix(InetAddress address, int prefixLength) {
    public IpPrefix {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range 0-" + max
                    + " for " + address.getHostAddress());
        }
    }

    /** Parses "A/N" or a bare address (host prefix), IPv4 or IPv6 literals only: never a DNS lookup. */
    public static IpPrefix parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("address is empty");
        }
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a = literal(addr);
        int len = a instanceof Inet4Address ? 32 : 128;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("prefix length of \"" + text + "\" is not a number");
            }
        }
        return new IpPrefix(a, len);
    }

    public static InetAddress literal(String addr) {
        boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = addr.contains(":") && addr.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("\"" + addr + "\" is not an IPv4 or IPv6 address");
        }
        if (v4) {
            for (String part : addr.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("\"" + addr + "\" is not an IPv4 address: " + part + " > 255");
                }
            }
        }
        try {
            return InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("\"" + addr + "\" is not an IPv4 or IPv6 address");
        }
    }

    public int family() {
        return address instanceof Inet4Address ? io.nsnet.netlink.Nl.AF_INET : io.nsnet.netlink.Nl.AF_INET6;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
