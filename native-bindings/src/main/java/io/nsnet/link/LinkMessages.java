package io.nsnet.link;

import io.nsnet.netlink.NlAttrs;
import io.nsnet.netlink.NlMsg;
import io.nsnet.netlink.NlMsgBuilder;
import io.nsnet.netlink.Nl;

import java.nio.ByteBuffer;

/** Wire encoding of link requests and decoding of link replies (no I/O here, so it is unit-testable). */
public final class LinkMessages {
    private LinkMessages() {
    }

    public static NlMsgBuilder create(LinkSpec spec) {
        int flags = Nl.NLM_F_CREATE | Nl.NLM_F_EXCL;
        if (spec instanceof LinkSpec.Bridge b) {
                NlMsgBuilder m = new NlMsgBuilder(Nl.RTM_NEWLINK, flags).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0)
                        .attrString(Nl.IFLA_IFNAME, b.name());
                common(m, b.mtu(), b.mac());
                m.beginNested(Nl.IFLA_LINKINFO).attrString(Nl.IFLA_INFO_KIND, "bridge")
                        .beginNested(Nl.IFLA_INFO_DATA).attrU32(Nl.IFLA_BR_STP_STATE, 0).endNested()
                        .endNested();
            return m;
        }
        if (spec instanceof LinkSpec.Veth v) {
                int up = v.up() ? Nl.IFF_UP : 0;
                NlMsgBuilder m = new NlMsgBuilder(Nl.RTM_NEWLINK, flags)
                        .ifinfomsg(Nl.AF_UNSPEC, 0, up, up)
                        .attrString(Nl.IFLA_IFNAME, v.name());
                common(m, v.mtu(), v.mac());
                queues(m, v.queues());
                if (v.masterIndex() != 0) {
                    m.attrU32(Nl.IFLA_MASTER, v.masterIndex());
                }
                m.beginNested(Nl.IFLA_LINKINFO).attrString(Nl.IFLA_INFO_KIND, "veth")
                        .beginNested(Nl.IFLA_INFO_DATA)
                        .beginNested(Nl.VETH_INFO_PEER);
                // VETH_INFO_PEER carries a whole ifinfomsg before the peer's own attributes.
                m.ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0).attrString(Nl.IFLA_IFNAME, v.peerName());
                common(m, v.mtu(), v.peerMac());
                queues(m, v.queues());
                if (v.peerNs() != null) {
                    m.attrU32(Nl.IFLA_NET_NS_FD, v.peerNs().fd());
                }
                m.endNested().endNested().endNested();
            return m;
        }
        throw new IllegalArgumentException("unknown link spec " + spec);
    }

    /** The same request asking the kernel to echo the resulting notification back to this socket. */
    public static NlMsgBuilder withEcho(NlMsgBuilder m) {
        return m.withFlags(m.flags() | Nl.NLM_F_ECHO);
    }

    private static void common(NlMsgBuilder m, int mtu, MacAddress mac) {
        if (mtu != 0) {
            m.attrU32(Nl.IFLA_MTU, mtu);
        }
        if (mac != null) {
            m.attr(Nl.IFLA_ADDRESS, mac.bytes());
        }
    }

    private static void queues(NlMsgBuilder m, int queues) {
        if (queues != 0) {
            m.attrU32(Nl.IFLA_NUM_TX_QUEUES, queues).attrU32(Nl.IFLA_NUM_RX_QUEUES, queues);
        }
    }

    /** A change to an existing link, addressed by index: flags within the change mask plus attributes. */
    public static NlMsgBuilder modify(int index, int flags, int change) {
        return new NlMsgBuilder(Nl.RTM_NEWLINK, 0).ifinfomsg(Nl.AF_UNSPEC, index, flags, change);
    }

    /**
     * Sets the link's MAC address and brings it up in one change: the kernel applies the address before the flags
     * (do_setlink), so the link never comes up with another one.
     */
    public static NlMsgBuilder upWithMac(int index, MacAddress mac) {
        return modify(index, Nl.IFF_UP, Nl.IFF_UP).attr(Nl.IFLA_ADDRESS, mac.bytes());
    }

    /** IFLA_IFALIAS, the free-text label `ip link set DEV alias TEXT` sets; "" clears it. */
    public static NlMsgBuilder setAlias(int index, String alias) {
        if (alias.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 256) {
            throw new IllegalArgumentException("link alias is longer than 255 bytes (IFALIASZ)");
        }
        return modify(index, 0, 0).attr(Nl.IFLA_IFALIAS, alias.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** How IPv6 makes the link's link-local address when it comes up ({@code ip link set DEV addrgenmode MODE}). */
    public static NlMsgBuilder setIpv6AddrGenMode(int index, Ipv6AddrGenMode mode) {
        return modify(index, 0, 0).beginNested(Nl.IFLA_AF_SPEC).beginNested(Nl.AF_INET6)
                .attrU8(Nl.IFLA_INET6_ADDR_GEN_MODE, mode.code()).endNested().endNested();
    }

    public static NlMsgBuilder setHairpin(int index, boolean on) {
        return new NlMsgBuilder(Nl.RTM_SETLINK, 0).ifinfomsg(Nl.AF_BRIDGE, index, 0, 0)
                .beginNested(Nl.IFLA_PROTINFO).attrU8(Nl.IFLA_BRPORT_MODE, on ? 1 : 0).endNested();
    }

    public static NlMsgBuilder delete(int index) {
        return new NlMsgBuilder(Nl.RTM_DELLINK, 0).ifinfomsg(Nl.AF_UNSPEC, index, 0, 0);
    }

    public static NlMsgBuilder deleteByName(String name) {
        return new NlMsgBuilder(Nl.RTM_DELLINK, 0).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0)
                .attrString(Nl.IFLA_IFNAME, IfName.validate(name));
    }

    public static NlMsgBuilder get(int index) {
        return new NlMsgBuilder(Nl.RTM_GETLINK, 0).ifinfomsg(Nl.AF_UNSPEC, index, 0, 0);
    }

    public static NlMsgBuilder getByName(String name) {
        return new NlMsgBuilder(Nl.RTM_GETLINK, 0).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0)
                .attrString(Nl.IFLA_IFNAME, IfName.validate(name));
    }

    public static NlMsgBuilder dump() {
        return new NlMsgBuilder(Nl.RTM_GETLINK, 0).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0);
    }

    /** Decodes an RTM_NEWLINK reply into a {@link Link}. */
    public static Link parse(NlMsg msg) {
        ByteBuffer p = msg.payload();
        int index = p.getInt(4);
        int flags = p.getInt(8);
        NlAttrs a = msg.attrs(Nl.IFINFOMSG_LEN);
        String kind = a.nested(Nl.IFLA_LINKINFO).flatMap(li -> li.string(Nl.IFLA_INFO_KIND)).orElse("");
        MacAddress mac = a.bytes(Nl.IFLA_ADDRESS).filter(b -> b.length == 6).map(MacAddress::new).orElse(null);
        return new Link(index, a.string(Nl.IFLA_IFNAME).orElse(""), LinkKind.of(kind),
                a.u32(Nl.IFLA_MASTER).orElse(0), flags, mac, a.u32(Nl.IFLA_MTU).orElse(0),
                a.u32(Nl.IFLA_LINK_NETNSID).orElse(-1), a.u32(Nl.IFLA_LINK).orElse(0),
                a.string(Nl.IFLA_IFALIAS).orElse(""));
    }
}
