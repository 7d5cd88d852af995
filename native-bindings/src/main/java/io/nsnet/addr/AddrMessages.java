package io.nsnet.addr;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

import io.nsnet.netlink.Nl;
import io.nsnet.netlink.NlAttrs;
import io.nsnet.netlink.NlMsg;
import io.nsnet.netlink.NlMsgBuilder;

/** Wire encoding of address requests and decoding of replies. */
public final class AddrMessages {
    private AddrMessages() {
    }

    /**
     * RTM_NEWADDR with IFA_LOCAL and IFA_ADDRESS (equal: not point-to-point) and, for IPv4 prefixes shorter
     * than /31, the broadcast address, as {@code ip addr add ... brd +} and Docker set it.
     */
    public static NlMsgBuilder add(int linkIndex, IpPrefix p) {
        NlMsgBuilder m = new NlMsgBuilder(Nl.RTM_NEWADDR, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
                .ifaddrmsg(p.family(), p.prefixLength(), 0, Nl.RT_SCOPE_UNIVERSE, linkIndex)
                .attr(Nl.IFA_LOCAL, p.address().getAddress())
                .attr(Nl.IFA_ADDRESS, p.address().getAddress());
        if (p.address() instanceof Inet4Address && p.prefixLength() < 31) {
            m.attr(Nl.IFA_BROADCAST, broadcast(p));
        }
        return m;
    }

    static byte[] broadcast(IpPrefix p) {
        byte[] a = p.address().getAddress();
        int v = ByteBuffer.wrap(a).getInt();
        int hostMask = p.prefixLength() == 0 ? -1 : (1 << (32 - p.prefixLength())) - 1;
        return ByteBuffer.allocate(4).putInt(v | hostMask).array();
    }

    public static NlMsgBuilder delete(int linkIndex, IpPrefix p) {
        return new NlMsgBuilder(Nl.RTM_DELADDR, 0)
                .ifaddrmsg(p.family(), p.prefixLength(), 0, 0, linkIndex)
                .attr(Nl.IFA_LOCAL, p.address().getAddress());
    }

    public static NlMsgBuilder dump(int family) {
        return new NlMsgBuilder(Nl.RTM_GETADDR, 0).ifaddrmsg(family, 0, 0, 0, 0);
    }

    public static Address parse(NlMsg msg) {
        ByteBuffer p = msg.payload();
        int prefixLen = Byte.toUnsignedInt(p.get(1));
        int scope = Byte.toUnsignedInt(p.get(3));
        int index = p.getInt(4);
        NlAttrs a = msg.attrs(Nl.IFADDRMSG_LEN);
        var addr = a.inet(Nl.IFA_LOCAL).or(() -> a.inet(Nl.IFA_ADDRESS))
                .orElseThrow(() -> new io.nsnet.netlink.NetlinkProtocolException("address reply without address"));
        return new Address(index, new IpPrefix(addr, prefixLen), scope, a.string(Nl.IFA_LABEL).orElse(""));
    }
}
