package io.nsnet.iptc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * {@link IptEntry} ↔ {@code struct ipt_entry} bytes, laid out exactly as iptables-legacy 1.8.9 lays them out
 * (checked byte for byte against entries it wrote, read back through libiptc, in IptEntryCodecKernelTest).
 *
 * <p>Byte order: addresses are network order (as in the kernel struct), every other integer is host order
 * (ports in xt_tcp/xt_udp included); NAT ports are network order. Unused bytes, padding and counters are zero.
 *
 * <p>The encoded form is what libiptc's add functions take: a verdict or jump carries its name in the target
 * ({@code "ACCEPT"}, {@code "NSNET"}) and libiptc maps it (for a verdict it writes the number itself; for a
 * jump it resolves the chain). What the kernel hands back differs only there: the standard target's name is
 * empty and a jump's verdict is a byte offset; plus counters and {@code comefrom}, which the kernel fills in.
 */
public final class IptEntryCodec {
    /** struct nf_nat_ipv4_multi_range_compat: u32 rangesize + one nf_nat_ipv4_range (16) = 20 bytes. */
    static final int NAT_COMPAT_SIZE = 20;
    /** struct nf_nat_range2: flags, 2 × nf_inet_addr (16), 3 × u16 ports, padded to 44. */
    static final int NAT_RANGE2_SIZE = 44;
    /** sizeof(struct xt_conntrack_mtinfo3): 8 nf_inet_addr, 2 u32, 13 u16, padded to 4 = 164 (match 200). */
    static final int CONNTRACK3_SIZE = 164;
    static final int CT_MATCH_FLAGS = 146;
    static final int CT_INVERT_FLAGS = 148;
    static final int CT_STATE_MASK = 150;
    static final int XT_CONNTRACK_STATE = 1;

    private IptEntryCodec() {
    }

    // ------------------------------------------------------------------ encode

    public static byte[] encode(IptEntry e) {
        List<byte[]> matches = new ArrayList<>(e.matches().size());
        int size = XtLayout.ENTRY_SIZE;
        for (XtMatch m : e.matches()) {
            byte[] b = encodeMatch(m);
            matches.add(b);
            size += b.length;
        }
        int targetOffset = size;
        byte[] target = encodeTarget(e.target());
        size += target.length;
        if (size > 0xFFFF) {
            throw new IllegalArgumentException("entry too large: " + size);
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        IptIp ip = e.ip();
        b.order(ByteOrder.BIG_ENDIAN);
        b.putInt(XtLayout.IP_SRC, ip.src()).putInt(XtLayout.IP_DST, ip.dst())
                .putInt(XtLayout.IP_SMSK, ip.srcMask()).putInt(XtLayout.IP_DMSK, ip.dstMask());
        b.order(ByteOrder.nativeOrder());
        putIface(b, XtLayout.IP_INIFACE, XtLayout.IP_INIFACE_MASK, ip.inIface());
        putIface(b, XtLayout.IP_OUTIFACE, XtLayout.IP_OUTIFACE_MASK, ip.outIface());
        b.putShort(XtLayout.IP_PROTO, (short) ip.proto());
        b.put(XtLayout.IP_FLAGS, (byte) ip.flags());
        b.put(XtLayout.IP_INVFLAGS, (byte) ip.invflags());
        b.putShort(XtLayout.ENTRY_TARGET_OFFSET, (short) targetOffset);
        b.putShort(XtLayout.ENTRY_NEXT_OFFSET, (short) size);
        b.position(XtLayout.ENTRY_SIZE);
        for (byte[] m : matches) {
            b.put(m);
        }
        b.put(target);
        return b.array();
    }

    /** xtables_parse_interface: the mask covers the name plus its NUL, or only the prefix before "+". */
    private static void putIface(ByteBuffer b, int nameAt, int maskAt, String name) {
        if (name == null) {
            return;
        }
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        b.put(nameAt, n);
        int maskLen = name.endsWith("+") ? n.length - 1 : n.length + 1;
        for (int i = 0; i < maskLen; i++) {
            b.put(maskAt + i, (byte) 0xFF);
        }
    }

    static byte[] encodeMatch(XtMatch m) {
        ByteBuffer d;
        if (m instanceof XtMatch.Tcp t) {
            d = data(12).putShort((short) t.sportMin()).putShort((short) t.sportMax()).putShort((short) t.dportMin())
                    .putShort((short) t.dportMax()).put((byte) t.option()).put((byte) t.flagMask())
                    .put((byte) t.flagCmp()).put((byte) t.invflags());
        } else if (m instanceof XtMatch.Udp u) {
            d = data(10).putShort((short) u.sportMin()).putShort((short) u.sportMax()).putShort((short) u.dportMin())
                    .putShort((short) u.dportMax()).put((byte) u.invflags());
        } else if (m instanceof XtMatch.Conntrack c) {
            d = data(CONNTRACK3_SIZE);
            d.putShort(CT_MATCH_FLAGS, (short) XT_CONNTRACK_STATE);
            d.putShort(CT_INVERT_FLAGS, (short) (c.invert() ? XT_CONNTRACK_STATE : 0));
            d.putShort(CT_STATE_MASK, (short) c.stateMask());
        } else if (m instanceof XtMatch.Addrtype a) {
            d = data(8).putShort((short) a.source()).putShort((short) a.dest()).putInt(a.flags());
        } else if (m instanceof XtMatch.Comment c) {
            d = data(XtMatch.Comment.MAX).put(c.text().getBytes(StandardCharsets.UTF_8));
        } else {
            XtMatch.Unknown u = (XtMatch.Unknown) m;
            byte[] raw = u.data();
            d = data(raw.length).put(raw);
        }
        return element(m.name(), m.revision(), d.array());
    }

    static byte[] encodeTarget(XtTarget t) {
        if (t instanceof XtTarget.Verdict v) {
            return element(v.name(), 0, data(4).putInt(v.verdict()).array());
        }
        if (t instanceof XtTarget.Jump j) {
            return element(j.chain(), 0, data(4).array());
        }
        if (t instanceof XtTarget.Masquerade m) {
            return element("MASQUERADE", 0, natCompat(m.flags(), 0, 0, m.minPort(), m.maxPort()));
        }
        if (t instanceof XtTarget.Dnat d) {
            byte[] data = DNAT_REVISION == 0
                    ? natCompat(d.flags(), d.minIp(), d.maxIp(), d.minPort(), d.maxPort())
                    : natRange2(d.flags(), d.minIp(), d.maxIp(), d.minPort(), d.maxPort());
            return element("DNAT", DNAT_REVISION, data);
        }
        XtTarget.Unknown u = (XtTarget.Unknown) t;
        return element(u.name(), u.revision(), u.data());
    }

    /**
     * A match's data as nf_tables' compat layer carries it (NFTA_MATCH_INFO): the xt_entry_match payload, padded
     * to XT_ALIGN, which is also what the kernel lists back.
     */
    public static byte[] matchInfo(XtMatch m) {
        byte[] el = encodeMatch(m);
        return Arrays.copyOfRange(el, XtLayout.XT_HEADER, el.length);
    }

    /** A target's data for NFTA_TARGET_INFO; see {@link #matchInfo}. Not for verdicts and jumps. */
    public static byte[] targetInfo(XtTarget t) {
        if (t instanceof XtTarget.Verdict || t instanceof XtTarget.Jump) {
            throw new IllegalArgumentException("verdicts and jumps are not x_tables targets in nf_tables");
        }
        byte[] el = encodeTarget(t);
        return Arrays.copyOfRange(el, XtLayout.XT_HEADER, el.length);
    }

    /** The extension name and revision a non-verdict target is registered under. */
    public static String targetName(XtTarget t) {
        if (t instanceof XtTarget.Masquerade) {
            return "MASQUERADE";
        } else if (t instanceof XtTarget.Dnat) {
            return "DNAT";
        } else if (t instanceof XtTarget.Unknown u) {
            return u.name();
        }
        throw new IllegalArgumentException("not an x_tables target: " + t);
    }

    public static int targetRevision(XtTarget t) {
        return t instanceof XtTarget.Unknown u ? u.revision() : revisionOf(t);
    }

    /** Decodes NFTA_MATCH_INFO the way {@link #decode} decodes a match inside an entry (Unknown if not exact). */
    public static XtMatch decodeMatchInfo(String name, int revision, byte[] info) {
        byte[] el = element(name, revision, info);
        return decodeMatch(el, 0, el.length);
    }

    /** Decodes NFTA_TARGET_INFO of a non-verdict target (Unknown if not exact). */
    public static XtTarget decodeTargetInfo(String name, int revision, byte[] info) {
        byte[] el = element(name, revision, info);
        return decodeTarget(el, 0, el.length, null);
    }

    /**
     * The DNAT revision iptables-legacy 1.8.9 writes for {@code --to-destination} on IPv4: revision 2
     * ({@code struct nf_nat_range2}), the highest the kernel offers (libxt_DNAT registers 0, 1 and 2).
     */
    public static final int DNAT_REVISION = 2;

    private static byte[] natCompat(int flags, int minIp, int maxIp, int minPort, int maxPort) {
        ByteBuffer b = data(NAT_COMPAT_SIZE);
        b.putInt(0, 1); // rangesize
        b.putInt(4, flags);
        b.order(ByteOrder.BIG_ENDIAN).putInt(8, minIp).putInt(12, maxIp)
                .putShort(16, (short) minPort).putShort(18, (short) maxPort);
        return b.array();
    }

    private static byte[] natRange2(int flags, int minIp, int maxIp, int minPort, int maxPort) {
        ByteBuffer b = data(NAT_RANGE2_SIZE);
        b.putInt(0, flags);
        b.order(ByteOrder.BIG_ENDIAN).putInt(4, minIp).putInt(20, maxIp)
                .putShort(36, (short) minPort).putShort(38, (short) maxPort);
        return b.array();
    }

    private static ByteBuffer data(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    /** xt_entry_match / xt_entry_target: size, name, revision, data, zero padding to XT_ALIGN. */
    private static byte[] element(String name, int revision, byte[] data) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length >= XtLayout.XT_NAME_LEN) {
            throw new IllegalArgumentException("extension name too long: " + name);
        }
        int size = XtLayout.align(XtLayout.XT_HEADER + data.length);
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        b.putShort(XtLayout.XT_SIZE, (short) size);
        b.put(XtLayout.XT_NAME, n);
        b.put(XtLayout.XT_REVISION, (byte) revision);
        b.put(XtLayout.XT_HEADER, data);
        return b.array();
    }

    // ------------------------------------------------------------------ decode

    /**
     * Decodes an entry as libiptc returns it.
     *
     * @param targetName what {@code iptc_get_target} said: a verdict name, a jump's chain, or the extension
     *                   name; it is the only way to know a jump's chain, since the entry holds an offset
     * @throws IllegalArgumentException if the bytes are not a well-formed entry or use something the record
     *                                  cannot hold (e.g. an interface mask iptables would not write)
     */
    public static IptEntry decode(byte[] entry, String targetName) {
        ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.nativeOrder());
        if (entry.length < XtLayout.ENTRY_SIZE) {
            throw new IllegalArgumentException("short entry: " + entry.length);
        }
        int targetOffset = Short.toUnsignedInt(b.getShort(XtLayout.ENTRY_TARGET_OFFSET));
        int nextOffset = Short.toUnsignedInt(b.getShort(XtLayout.ENTRY_NEXT_OFFSET));
        if (nextOffset != entry.length || targetOffset < XtLayout.ENTRY_SIZE || targetOffset + XtLayout.XT_HEADER > nextOffset) {
            throw new IllegalArgumentException("bad offsets: target " + targetOffset + ", next " + nextOffset
                    + ", length " + entry.length);
        }
        b.order(ByteOrder.BIG_ENDIAN);
        int src = b.getInt(XtLayout.IP_SRC);
        int dst = b.getInt(XtLayout.IP_DST);
        int smsk = b.getInt(XtLayout.IP_SMSK);
        int dmsk = b.getInt(XtLayout.IP_DMSK);
        b.order(ByteOrder.nativeOrder());
        String in = iface(entry, XtLayout.IP_INIFACE, XtLayout.IP_INIFACE_MASK);
        String out = iface(entry, XtLayout.IP_OUTIFACE, XtLayout.IP_OUTIFACE_MASK);
        IptIp ip = new IptIp(src, smsk, dst, dmsk, in, out, Short.toUnsignedInt(b.getShort(XtLayout.IP_PROTO)),
                Byte.toUnsignedInt(b.get(XtLayout.IP_FLAGS)), Byte.toUnsignedInt(b.get(XtLayout.IP_INVFLAGS)));
        if ((ip.src() != src) || (ip.dst() != dst)) {
            throw new IllegalArgumentException("address with bits outside its mask");
        }
        List<XtMatch> matches = new ArrayList<>();
        int at = XtLayout.ENTRY_SIZE;
        while (at < targetOffset) {
            int size = Short.toUnsignedInt(b.getShort(at + XtLayout.XT_SIZE));
            if (size < XtLayout.XT_HEADER || at + size > targetOffset) {
                throw new IllegalArgumentException("bad match size " + size + " at " + at);
            }
            matches.add(decodeMatch(entry, at, size));
            at += size;
        }
        int tsize = Short.toUnsignedInt(b.getShort(targetOffset + XtLayout.XT_SIZE));
        if (targetOffset + tsize != nextOffset) {
            throw new IllegalArgumentException("bad target size " + tsize);
        }
        return new IptEntry(ip, matches, decodeTarget(entry, targetOffset, tsize, targetName));
    }

    private static String iface(byte[] e, int nameAt, int maskAt) {
        int len = 0;
        while (len < XtLayout.IFNAMSIZ && e[nameAt + len] != 0) {
            len++;
        }
        byte[] expectedMask = new byte[XtLayout.IFNAMSIZ];
        String name = len == 0 ? null : new String(e, nameAt, len, StandardCharsets.US_ASCII);
        if (name != null) {
            Arrays.fill(expectedMask, 0, name.endsWith("+") ? len - 1 : Math.min(len + 1, XtLayout.IFNAMSIZ), (byte) 0xFF);
        }
        if (!Arrays.equals(e, maskAt, maskAt + XtLayout.IFNAMSIZ, expectedMask, 0, XtLayout.IFNAMSIZ)) {
            throw new IllegalArgumentException("interface mask iptables would not write for '" + name + "'");
        }
        return name;
    }

    /** An extension's name up to its NUL (the bytes after it are undefined in what the kernel returns). */
    static String name(byte[] e, int at) {
        int len = 0;
        while (len < XtLayout.XT_NAME_LEN && e[at + XtLayout.XT_NAME + len] != 0) {
            len++;
        }
        return new String(e, at + XtLayout.XT_NAME, len, StandardCharsets.US_ASCII);
    }

    private static XtMatch decodeMatch(byte[] e, int at, int size) {
        String name = name(e, at);
        int rev = Byte.toUnsignedInt(e[at + XtLayout.XT_REVISION]);
        int data = at + XtLayout.XT_HEADER;
        int len = size - XtLayout.XT_HEADER;
        ByteBuffer d = ByteBuffer.wrap(e, data, len).slice().order(ByteOrder.nativeOrder());
        XtMatch known = null;
        if (rev == 0 && name.equals("tcp") && len >= 12) {
            known = new XtMatch.Tcp(u16(d, 0), u16(d, 2), u16(d, 4), u16(d, 6), u8(d, 8), u8(d, 9), u8(d, 10), u8(d, 11));
        } else if (rev == 0 && name.equals("udp") && len >= 10) {
            known = new XtMatch.Udp(u16(d, 0), u16(d, 2), u16(d, 4), u16(d, 6), u8(d, 8));
        } else if (rev == 3 && name.equals("conntrack") && len >= CONNTRACK3_SIZE) {
            int flags = u16(d, CT_MATCH_FLAGS);
            int inv = u16(d, CT_INVERT_FLAGS);
            if (flags == XT_CONNTRACK_STATE && (inv & ~XT_CONNTRACK_STATE) == 0) {
                known = new XtMatch.Conntrack(u16(d, CT_STATE_MASK), inv != 0);
            }
        } else if (rev == 1 && name.equals("addrtype") && len >= 8) {
            known = new XtMatch.Addrtype(u16(d, 0), u16(d, 2), d.getInt(4));
        } else if (rev == 0 && name.equals("comment") && len >= XtMatch.Comment.MAX) {
            int n = 0;
            while (n < XtMatch.Comment.MAX - 1 && e[data + n] != 0) {
                n++;
            }
            known = new XtMatch.Comment(new String(e, data, n, StandardCharsets.UTF_8));
        }
        // Only accept the structured form if it re-encodes to the same bytes: anything it cannot express
        // (other conntrack fields, bytes in the padding) keeps the entry exact as Unknown.
        if (known != null && sameElement(encodeMatch(known), e, at, size)) {
            return known;
        }
        return new XtMatch.Unknown(name, rev, HexFormat.of().formatHex(e, data, data + len));
    }

    private static XtTarget decodeTarget(byte[] e, int at, int size, String targetName) {
        String name = name(e, at);
        int rev = Byte.toUnsignedInt(e[at + XtLayout.XT_REVISION]);
        int data = at + XtLayout.XT_HEADER;
        int len = size - XtLayout.XT_HEADER;
        ByteBuffer d = ByteBuffer.wrap(e, data, len).slice().order(ByteOrder.nativeOrder());
        // The standard target: the kernel (and so libiptc's cache) names it "", whatever the verdict; libiptc's
        // input form names a verdict ("ACCEPT"). A jump in input form is not recognised: its chain name could as
        // well be a module's (REJECT's target is exactly as large as the standard one).
        if (size == XtLayout.STANDARD_TARGET_SIZE && (name.isEmpty() || isVerdictName(name))) {
            int verdict = d.getInt(0);
            if (verdict < 0) {
                String v = verdictName(verdict);
                if (name.isEmpty() || name.equals(v)) {
                    return new XtTarget.Verdict(v);
                }
            } else if (name.isEmpty() && targetName != null && !targetName.isEmpty()) {
                return new XtTarget.Jump(targetName);
            }
        }
        XtTarget known = null;
        if (name.equals("MASQUERADE") && rev == 0 && len >= NAT_COMPAT_SIZE && d.getInt(0) == 1) {
            ByteBuffer be = d.duplicate().order(ByteOrder.BIG_ENDIAN);
            known = new XtTarget.Masquerade(d.getInt(4), Short.toUnsignedInt(be.getShort(16)),
                    Short.toUnsignedInt(be.getShort(18)));
        } else if (name.equals("DNAT") && rev == 0 && len >= NAT_COMPAT_SIZE && d.getInt(0) == 1) {
            ByteBuffer be = d.duplicate().order(ByteOrder.BIG_ENDIAN);
            known = new XtTarget.Dnat(d.getInt(4), be.getInt(8), be.getInt(12), Short.toUnsignedInt(be.getShort(16)),
                    Short.toUnsignedInt(be.getShort(18)));
        } else if (name.equals("DNAT") && rev == 2 && len >= NAT_RANGE2_SIZE) {
            ByteBuffer be = d.duplicate().order(ByteOrder.BIG_ENDIAN);
            known = new XtTarget.Dnat(d.getInt(0), be.getInt(4), be.getInt(20), Short.toUnsignedInt(be.getShort(36)),
                    Short.toUnsignedInt(be.getShort(38)));
        }
        if (known != null && rev == revisionOf(known) && sameElement(encodeTarget(known), e, at, size)) {
            return known;
        }
        return new XtTarget.Unknown(name, rev, HexFormat.of().formatHex(e, data, data + len));
    }

    /**
     * Whether an encoded match/target equals the one at {@code e[at]}: size, revision and data. The name is
     * compared only up to its NUL: the kernel copies back {@code strlen(name) + 1} bytes of it and leaves the
     * rest of the 29-byte field as it found it in libiptc's (uninitialised) buffer.
     */
    private static boolean sameElement(byte[] encoded, byte[] e, int at, int size) {
        return encoded.length == size && encoded[XtLayout.XT_REVISION] == e[at + XtLayout.XT_REVISION]
                && Arrays.equals(encoded, XtLayout.XT_HEADER, size, e, at + XtLayout.XT_HEADER, at + size);
    }

    private static int revisionOf(XtTarget t) {
        return t instanceof XtTarget.Dnat ? DNAT_REVISION : 0;
    }

    /**
     * What {@code iptc_get_target} says for an entry in the kernel's form, when the bytes alone tell: the
     * module's name, a verdict's name, or "" for a fall-through; null for a jump, whose chain only libiptc
     * knows.
     */
    static String targetName(byte[] entry) {
        ByteBuffer bb = ByteBuffer.wrap(entry).order(ByteOrder.nativeOrder());
        int t = Short.toUnsignedInt(bb.getShort(XtLayout.ENTRY_TARGET_OFFSET));
        String name = name(entry, t);
        if (!name.isEmpty() || Short.toUnsignedInt(bb.getShort(t)) != XtLayout.STANDARD_TARGET_SIZE) {
            return name;
        }
        int verdict = bb.getInt(t + XtLayout.XT_HEADER);
        if (verdict >= 0) {
            return null;
        }
        try {
            return verdictName(verdict);
        } catch (IllegalArgumentException e) {
            return null; // let libiptc name it
        }
    }

    /**
     * The entry's identity as a rule: a copy with what the kernel fills in (counters, {@code comefrom}) and the
     * undefined tails of extension names zeroed. Two entries are the same rule iff these bytes are equal and,
     * for jumps, the target chains are.
     */
    public static byte[] identity(byte[] entry) {
        byte[] b = entry.clone();
        Arrays.fill(b, XtLayout.ENTRY_COMEFROM, XtLayout.ENTRY_SIZE, (byte) 0);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        int next = Math.min(Short.toUnsignedInt(bb.getShort(XtLayout.ENTRY_NEXT_OFFSET)), b.length);
        int at = XtLayout.ENTRY_SIZE;
        while (at + XtLayout.XT_HEADER <= next) {
            int size = Short.toUnsignedInt(bb.getShort(at));
            int nul = at + XtLayout.XT_NAME;
            while (nul < at + XtLayout.XT_NAME + XtLayout.XT_NAME_LEN && b[nul] != 0) {
                nul++;
            }
            Arrays.fill(b, nul, at + XtLayout.XT_NAME + XtLayout.XT_NAME_LEN, (byte) 0);
            if (size < XtLayout.XT_HEADER) {
                break;
            }
            at += size;
        }
        return b;
    }

    /**
     * An entry as the kernel returned it, made fit to pass back to libiptc (e.g. to {@code iptc_delete_entry})
     * without decoding it: a standard target gets its name back ({@code targetName}: the verdict's or the jump's
     * chain), because libiptc takes an empty name for a fall-through.
     */
    public static byte[] toInputForm(byte[] kernelEntry, String targetName) {
        byte[] b = identity(kernelEntry);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        int t = Short.toUnsignedInt(bb.getShort(XtLayout.ENTRY_TARGET_OFFSET));
        if (targetName != null && !targetName.isEmpty() && t + XtLayout.XT_HEADER <= b.length && name(b, t).isEmpty()) {
            byte[] n = targetName.getBytes(StandardCharsets.US_ASCII);
            if (n.length < XtLayout.XT_NAME_LEN) {
                System.arraycopy(n, 0, b, t + XtLayout.XT_NAME, n.length);
            }
        }
        return b;
    }

    private static boolean isVerdictName(String name) {
        return name.equals("ACCEPT") || name.equals("DROP") || name.equals("QUEUE") || name.equals("RETURN");
    }

    /**
     * The entry as the kernel hands it back, for a standard target: the name cleared (libiptc does that when it
     * maps a verdict or jump name). Decoding a jump needs this form plus the chain name.
     */
    public static byte[] asKernelForm(byte[] entry) {
        byte[] b = entry.clone();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        int t = Short.toUnsignedInt(bb.getShort(XtLayout.ENTRY_TARGET_OFFSET));
        if (Short.toUnsignedInt(bb.getShort(t)) == XtLayout.STANDARD_TARGET_SIZE) {
            String n = name(b, t);
            if (n.isEmpty() || isVerdictName(n) || bb.getInt(t + XtLayout.XT_HEADER) == 0) {
                Arrays.fill(b, t + XtLayout.XT_NAME, t + XtLayout.XT_NAME + XtLayout.XT_NAME_LEN, (byte) 0);
            }
        }
        return b;
    }

    private static String verdictName(int verdict) {
        switch (verdict) {
            case XtLayout.VERDICT_ACCEPT:
                return "ACCEPT";
            case XtLayout.VERDICT_DROP:
                return "DROP";
            case XtLayout.VERDICT_QUEUE:
                return "QUEUE";
            case XtLayout.VERDICT_RETURN:
                return "RETURN";
            default:
                throw new IllegalArgumentException("unknown verdict " + verdict);
        }
    }

    private static int u16(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at));
    }

    private static int u8(ByteBuffer b, int at) {
        return Byte.toUnsignedInt(b.get(at));
    }
}
