package io.nsnet.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed attribute list: type (without the NESTED/BYTEORDER flag bits) → value bytes. Where a type repeats,
 * the last one wins, which is what rtnetlink's parsers do too.
 */
public final class NlAttrs {
    private final Map<Integer, ByteBuffer> byType;

    private NlAttrs(Map<Integer, ByteBuffer> byType) {
        this.byType = byType;
    }

    public static NlAttrs parse(ByteBuffer region) {
        ByteBuffer b = region.duplicate().order(ByteOrder.nativeOrder());
        Map<Integer, ByteBuffer> map = new LinkedHashMap<>();
        while (b.remaining() >= 4) {
            int start = b.position();
            int len = Short.toUnsignedInt(b.getShort(start));
            int type = Short.toUnsignedInt(b.getShort(start + 2)) & Nl.NLA_TYPE_MASK;
            if (len < 4 || len > b.remaining()) {
                throw new NetlinkProtocolException("bad attribute length " + len + " for type " + type);
            }
            ByteBuffer v = b.duplicate().order(ByteOrder.nativeOrder());
            v.position(start + 4).limit(start + len);
            map.put(type, v.slice().order(ByteOrder.nativeOrder()));
            b.position(Math.min(b.limit(), start + Nl.align(len)));
        }
        return new NlAttrs(Collections.unmodifiableMap(map));
    }

    /**
     * Every value of the given type in order, for lists whose elements all share one type (nf_tables'
     * NFTA_LIST_ELEM), which {@link #parse} would collapse to the last.
     */
    public static java.util.List<ByteBuffer> list(ByteBuffer region, int type) {
        ByteBuffer b = region.duplicate().order(ByteOrder.nativeOrder());
        java.util.List<ByteBuffer> out = new java.util.ArrayList<>();
        while (b.remaining() >= 4) {
            int start = b.position();
            int len = Short.toUnsignedInt(b.getShort(start));
            int t = Short.toUnsignedInt(b.getShort(start + 2)) & Nl.NLA_TYPE_MASK;
            if (len < 4 || len > b.remaining()) {
                throw new NetlinkProtocolException("bad attribute length " + len + " for type " + t);
            }
            if (t == type) {
                ByteBuffer v = b.duplicate().order(ByteOrder.nativeOrder());
                v.position(start + 4).limit(start + len);
                out.add(v.slice().order(ByteOrder.nativeOrder()));
            }
            b.position(Math.min(b.limit(), start + Nl.align(len)));
        }
        return out;
    }

    /** A 32-bit value in network byte order (nf_tables). */
    public Optional<Integer> u32Be(int type) {
        return raw(type).filter(v -> v.remaining() >= 4).map(v -> v.order(ByteOrder.BIG_ENDIAN).getInt(0));
    }

    /** A 64-bit value in network byte order (nf_tables handles). */
    public Optional<Long> u64Be(int type) {
        return raw(type).filter(v -> v.remaining() >= 8).map(v -> v.order(ByteOrder.BIG_ENDIAN).getLong(0));
    }

    public boolean has(int type) {
        return byType.containsKey(type);
    }

    public Optional<ByteBuffer> raw(int type) {
        return Optional.ofNullable(byType.get(type)).map(v -> v.duplicate().order(ByteOrder.nativeOrder()));
    }

    public Optional<byte[]> bytes(int type) {
        return raw(type).map(v -> {
            byte[] a = new byte[v.remaining()];
            v.get(a);
            return a;
        });
    }

    /** A NUL-terminated (or unterminated) string value. */
    public Optional<String> string(int type) {
        return bytes(type).map(a -> {
            int n = 0;
            while (n < a.length && a[n] != 0) {
                n++;
            }
            return new String(a, 0, n, StandardCharsets.UTF_8);
        });
    }

    public Optional<Integer> u32(int type) {
        return raw(type).filter(v -> v.remaining() >= 4).map(v -> v.getInt(0));
    }

    public Optional<Integer> u8(int type) {
        return raw(type).filter(v -> v.remaining() >= 1).map(v -> Byte.toUnsignedInt(v.get(0)));
    }

    public Optional<NlAttrs> nested(int type) {
        return raw(type).map(NlAttrs::parse);
    }

    public Optional<InetAddress> inet(int type) {
        return bytes(type).map(a -> {
            try {
                return InetAddress.getByAddress(a);
            } catch (UnknownHostException e) {
                throw new NetlinkProtocolException("address attribute " + type + " has " + a.length + " bytes");
            }
        });
    }

    public java.util.Set<Integer> types() {
        return byType.keySet();
    }
}
