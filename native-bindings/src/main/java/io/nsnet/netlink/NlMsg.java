package io.nsnet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One received netlink message: header fields and the payload after the 16-byte header (the family header
 * followed by attributes). The payload is a read-only view of the receive buffer's copy.
 */
public record NlMsg(int type, int flags, int seq, int pid, ByteBuffer payload) {

    /** Splits a datagram into its messages; stops at a truncated trailer rather than reading past it. */
    public static List<NlMsg> parseAll(ByteBuffer datagram) {
        ByteBuffer b = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<NlMsg> out = new ArrayList<>();
        while (b.remaining() >= Nl.NLMSG_HDRLEN) {
            int start = b.position();
            int len = b.getInt(start);
            if (len < Nl.NLMSG_HDRLEN || len > b.remaining()) {
                throw new NetlinkProtocolException("bad netlink message length " + len + " with "
                        + b.remaining() + " bytes left");
            }
            int type = Short.toUnsignedInt(b.getShort(start + 4));
            int flags = Short.toUnsignedInt(b.getShort(start + 6));
            int seq = b.getInt(start + 8);
            int pid = b.getInt(start + 12);
            ByteBuffer payload = b.duplicate().order(ByteOrder.nativeOrder());
            payload.position(start + Nl.NLMSG_HDRLEN).limit(start + len);
            out.add(new NlMsg(type, flags, seq, pid, payload.slice().order(ByteOrder.nativeOrder())));
            b.position(Math.min(b.limit(), start + Nl.align(len)));
        }
        return out;
    }

    /** Attributes that follow a family header of {@code headerLen} bytes. */
    public NlAttrs attrs(int headerLen) {
        ByteBuffer p = payload.duplicate().order(ByteOrder.nativeOrder());
        p.position(Math.min(p.limit(), Nl.align(headerLen)));
        return NlAttrs.parse(p.slice().order(ByteOrder.nativeOrder()));
    }
}
