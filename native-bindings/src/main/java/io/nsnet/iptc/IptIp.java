package io.nsnet.iptc;

/**
 * {@code struct ipt_ip}: the fixed header fields of a rule. Addresses are IPv4 as big-endian ints
 * ({@code 0xAC110000} is 172.17.0.0); interfaces are names or null, with iptables' "+" wildcard suffix. The
 * interface masks are not fields: they are derived as iptables derives them ({@code xtables_parse_interface}:
 * 0xFF over the name and its terminating NUL, or over the prefix before "+").
 *
 * @param proto    IP protocol number, 0 for any
 * @param flags    IPT_F_FRAG / IPT_F_GOTO
 * @param invflags IPT_INV_* negations
 */
public record IptIp(int src, int srcMask, int dst, int dstMask, String inIface, String outIface, int proto,
        int flags, int invflags) {

    public static final IptIp ANY = new IptIp(0, 0, 0, 0, null, null, 0, 0, 0);

    public IptIp {
        checkIface(inIface);
        checkIface(outIface);
        if (proto < 0 || proto > 0xFFFF || flags < 0 || flags > 0xFF || invflags < 0 || invflags > 0x7F) {
            throw new IllegalArgumentException("ipt_ip field out of range");
        }
        // iptables stores the address already masked; so do we, so that equal rules have equal bytes.
        src &= srcMask;
        dst &= dstMask;
    }

    private static void checkIface(String name) {
        if (name != null && (name.isEmpty() || name.length() >= XtLayout.IFNAMSIZ)) {
            throw new IllegalArgumentException("invalid interface name '" + name + "'");
        }
    }

    public boolean inverted(int invflag) {
        return (invflags & invflag) != 0;
    }

    public IptIp withSource(int addr, int mask, boolean negate) {
        return new IptIp(addr, mask, dst, dstMask, inIface, outIface, proto, flags,
                flag(XtLayout.IPT_INV_SRCIP, negate));
    }

    public IptIp withDestination(int addr, int mask, boolean negate) {
        return new IptIp(src, srcMask, addr, mask, inIface, outIface, proto, flags,
                flag(XtLayout.IPT_INV_DSTIP, negate));
    }

    public IptIp withIn(String iface, boolean negate) {
        return new IptIp(src, srcMask, dst, dstMask, iface, outIface, proto, flags,
                flag(XtLayout.IPT_INV_VIA_IN, negate));
    }

    public IptIp withOut(String iface, boolean negate) {
        return new IptIp(src, srcMask, dst, dstMask, inIface, iface, proto, flags,
                flag(XtLayout.IPT_INV_VIA_OUT, negate));
    }

    public IptIp withProto(int p, boolean negate) {
        return new IptIp(src, srcMask, dst, dstMask, inIface, outIface, p, flags, flag(XtLayout.IPT_INV_PROTO, negate));
    }

    private int flag(int bit, boolean on) {
        return on ? invflags | bit : invflags & ~bit;
    }

    public static final int INV_VIA_IN = XtLayout.IPT_INV_VIA_IN;
    public static final int INV_VIA_OUT = XtLayout.IPT_INV_VIA_OUT;
    public static final int INV_SRCIP = XtLayout.IPT_INV_SRCIP;
    public static final int INV_DSTIP = XtLayout.IPT_INV_DSTIP;
    public static final int INV_PROTO = XtLayout.IPT_INV_PROTO;
}
