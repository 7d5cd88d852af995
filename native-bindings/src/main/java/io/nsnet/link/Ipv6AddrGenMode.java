package io.nsnet.link;

/**
 * How the kernel makes a link's IPv6 link-local address when the link comes up (IFLA_INET6_ADDR_GEN_MODE,
 * {@code enum in6_addr_gen_mode} in if_link.h). {@link #NONE} makes none: no link-local address, so no prefix
 * route for it, no duplicate-address detection and no solicitations from the link.
 */
public enum Ipv6AddrGenMode {
    EUI64(0), NONE(1), STABLE_PRIVACY(2), RANDOM(3);

    private final int code;

    Ipv6AddrGenMode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
