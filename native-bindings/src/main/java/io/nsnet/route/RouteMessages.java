package io.nsnet.route;

import java.nio.ByteBuffer;

import io.nsnet.addr.IpPrefix;
import io.nsnet.netlink.Nl;
import io.nsnet.netlink.NlAttrs;
import io.nsnet.netlink.NlMsg;
import io.nsnet.netlink.NlMsgBuilder;

/** Wire encoding of route requests and decoding of replies. */
public final class RouteMessages {
    private RouteMessages() {
    }

    public static NlMsgBuilder add(Route r) {
        return body(new NlMsgBuilder(Nl.RTM_NEWROUTE, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL), r, Nl.RTN_UNICAST);
    }

    public static NlMsgBuilder delete(Route r) {
        return body(new NlMsgBuilder(Nl.RTM_DELROUTE, 0), r, 0);
    }

    private static NlMsgBuilder body(NlMsgBuilder m, Route r, int type) {
        int dstLen = r.destination() == null ? 0 : r.destination().prefixLength();
        int table = r.table() < 256 ? r.table() : 252; // RT_TABLE_COMPAT; the real id goes in RTA_TABLE
        m.rtmsg(r.family(), dstLen, table, r.protocol(), r.scope(), type);
        if (r.destination() != null && dstLen > 0) {
            m.attr(Nl.RTA_DST, r.destination().address().getAddress());
        }
        if (r.gateway() != null) {
            m.attr(Nl.RTA_GATEWAY, r.gateway().getAddress());
        }
        if (r.linkIndex() != 0) {
            m.attrU32(Nl.RTA_OIF, r.linkIndex());
        }
        if (r.table() >= 256) {
            m.attrU32(Nl.RTA_TABLE, r.table());
        }
        return m;
    }

    public static NlMsgBuilder dump(int family) {
        return new NlMsgBuilder(Nl.RTM_GETROUTE, 0).rtmsg(family, 0, 0, 0, 0, 0);
    }

    public static Route parse(NlMsg msg) {
        ByteBuffer p = msg.payload();
        int family = Byte.toUnsignedInt(p.get(0));
        int dstLen = Byte.toUnsignedInt(p.get(1));
        int table = Byte.toUnsignedInt(p.get(4));
        int protocol = Byte.toUnsignedInt(p.get(5));
        int scope = Byte.toUnsignedInt(p.get(6));
        NlAttrs a = msg.attrs(Nl.RTMSG_LEN);
        table = a.u32(Nl.RTA_TABLE).orElse(table);
        IpPrefix dst = a.inet(Nl.RTA_DST).map(addr -> new IpPrefix(addr, dstLen)).orElse(null);
        return new Route(dst, a.inet(Nl.RTA_GATEWAY).orElse(null), a.u32(Nl.RTA_OIF).orElse(0), table, protocol,
                scope, family);
    }

    public static int type(NlMsg msg) {
        return Byte.toUnsignedInt(msg.payload().get(7));
    }
}
