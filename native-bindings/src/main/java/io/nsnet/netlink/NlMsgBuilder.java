package io.nsnet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes one netlink request: the 16-byte header, a fixed family header, then attributes, each padded to
 * 4 bytes, in native byte order. Nested attributes are opened with {@link #beginNested} and closed with
 * {@link #endNested}, which patches the nest's length once its content is known.
 */
public final class NlMsgBuilder {
    private ByteBuffer buf;
    private final Deque<Integer> nests = new ArrayDeque<>();

    public NlMsgBuilder(int type, int flags) {
        this(type, flags, 256);
    }

    public NlMsgBuilder(int type, int flags, int capacity) {
        buf = ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
        buf.putInt(0); // length, patched in build()
        buf.putShort((short) type);
        buf.putShort((short) flags);
        buf.putInt(0); // sequence, set by the socket
        buf.putInt(0); // port id: 0, the kernel fills it in
    }

    public int type() {
        return Short.toUnsignedInt(buf.getShort(4));
    }

    /** Replaces the header's flags (the socket adds REQUEST and ACK itself). */
    public NlMsgBuilder withFlags(int flags) {
        buf.putShort(6, (short) flags);
        return this;
    }

    public int flags() {
        return Short.toUnsignedInt(buf.getShort(6));
    }

    private void ensure(int more) {
        if (buf.remaining() < more + 4) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more + 64))
                    .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    private void pad() {
        int p = Nl.align(buf.position());
        while (buf.position() < p) {
            buf.put((byte) 0);
        }
    }

    /** Family header: raw bytes written as given (already in native order). */
    public NlMsgBuilder header(byte[] familyHeader) {
        ensure(familyHeader.length);
        buf.put(familyHeader);
        pad();
        return this;
    }

    /** struct ifinfomsg: family, type, index, flags, change. */
    public NlMsgBuilder ifinfomsg(int family, int index, int flags, int change) {
        ensure(Nl.IFINFOMSG_LEN);
        buf.put((byte) family).put((byte) 0).putShort((short) 0);
        buf.putInt(index).putInt(flags).putInt(change);
        return this;
    }

    /** struct ifaddrmsg: family, prefixlen, flags, scope, index. */
    public NlMsgBuilder ifaddrmsg(int family, int prefixLen, int flags, int scope, int index) {
        ensure(Nl.IFADDRMSG_LEN);
        buf.put((byte) family).put((byte) prefixLen).put((byte) flags).put((byte) scope).putInt(index);
        return this;
    }

    /** struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
    public NlMsgBuilder rtmsg(int family, int dstLen, int table, int protocol, int scope, int type) {
        ensure(Nl.RTMSG_LEN);
        buf.put((byte) family).put((byte) dstLen).put((byte) 0).put((byte) 0);
        buf.put((byte) table).put((byte) protocol).put((byte) scope).put((byte) type);
        buf.putInt(0);
        return this;
    }

    public NlMsgBuilder attr(int type, byte[] value) {
        ensure(4 + value.length + 3);
        buf.putShort((short) (4 + value.length));
        buf.putShort((short) type);
        buf.put(value);
        pad();
        return this;
    }

    public NlMsgBuilder attrU8(int type, int value) {
        return attr(type, new byte[] {(byte) value});
    }

    public NlMsgBuilder attrU32(int type, int value) {
        ensure(8);
        buf.putShort((short) 8).putShort((short) type).putInt(value);
        return this;
    }

    /** A 32-bit attribute in network byte order, as nfnetlink (nf_tables) wants its integers. */
    public NlMsgBuilder attrU32Be(int type, int value) {
        ensure(8);
        buf.putShort((short) 8).putShort((short) type);
        buf.order(ByteOrder.BIG_ENDIAN).putInt(value).order(ByteOrder.nativeOrder());
        return this;
    }

    /** A 64-bit attribute in network byte order (nf_tables handles and positions). */
    public NlMsgBuilder attrU64Be(int type, long value) {
        ensure(12);
        buf.putShort((short) 12).putShort((short) type);
        buf.order(ByteOrder.BIG_ENDIAN).putLong(value).order(ByteOrder.nativeOrder());
        return this;
    }

    /** A NUL-terminated string attribute, as the kernel expects for names and kinds. */
    public NlMsgBuilder attrString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        return attr(type, z);
    }

    public NlMsgBuilder beginNested(int type) {
        ensure(4);
        nests.push(buf.position());
        buf.putShort((short) 0).putShort((short) (type | Nl.NLA_F_NESTED));
        return this;
    }

    /**
     * Like {@link #beginNested} but without NLA_F_NESTED: some old containers (VETH_INFO_PEER, IFLA_LINKINFO
     * on older kernels) are parsed either way, and iproute2 leaves the flag off, so fixtures match iproute2.
     */
    public NlMsgBuilder beginContainer(int type) {
        ensure(4);
        nests.push(buf.position());
        buf.putShort((short) 0).putShort((short) type);
        return this;
    }

    public NlMsgBuilder endNested() {
        int start = nests.pop();
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    /** The finished message with its length set and the given sequence number, ready to send. */
    public ByteBuffer build(int seq) {
        if (!nests.isEmpty()) {
            throw new IllegalStateException("unclosed nested attribute");
        }
        ByteBuffer out = buf.duplicate().order(ByteOrder.nativeOrder());
        out.flip();
        out.putInt(0, out.limit());
        out.putInt(8, seq);
        return out;
    }

    public byte[] toBytes(int seq) {
        ByteBuffer b = build(seq);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }
}
