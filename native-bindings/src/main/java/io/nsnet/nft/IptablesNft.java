package io.nsnet.nft;

import io.nsnet.iptc.IptEntry;
import io.nsnet.iptc.IptEntryCodec;
import io.nsnet.iptc.IptIp;
import io.nsnet.iptc.XtMatch;
import io.nsnet.iptc.XtTarget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An x_tables rule ({@link IptEntry}) as iptables-nft 1.8.9 writes it into nf_tables, and back. Writing a rule
 * exactly this way is what makes iptables-nft-save print it with the same text as if iptables-nft had added it,
 * and lets iptables-nft (Docker, an administrator) delete or list it. The form, verified against the kernel's
 * listing of rules iptables-nft added ({@code nft --debug=netlink}):
 * <ol>
 *   <li>{@code -i}/{@code -o}: {@code meta load iifname/oifname; cmp eq|neq} the name with its NUL, or for
 *       {@code name+} the prefix without it;</li>
 *   <li>{@code -p}: {@code meta load l4proto; cmp} one byte;</li>
 *   <li>{@code -s}/{@code -d}: {@code payload} at network header +12/+16 of as many bytes as the mask has whole
 *       0xff bytes, or all 4 followed by a {@code bitwise} mask when the prefix is not byte-aligned; then
 *       {@code cmp} the masked address;</li>
 *   <li>matches in order: {@code tcp}/{@code udp --dport N} natively ({@code payload 2b @ transport + 2;
 *       cmp eq}), any other through the compat {@code match} expression with its x_tables info;</li>
 *   <li>a {@code counter};</li>
 *   <li>the verdict ({@code immediate}) for ACCEPT, DROP, RETURN and jumps, else the compat {@code target}.</li>
 * </ol>
 * Decoding is exact or nothing, like {@code IptEntryCodec}: expressions become an entry only if that entry
 * encodes back to the same expressions (registers and counter values aside).
 */
public final class IptablesNft {

    private static final int SADDR = 12;
    private static final int DADDR = 16;

    private IptablesNft() {
    }

    /** @throws IllegalArgumentException for what iptables-nft would write differently or nsnet cannot write */
    public static List<Expr> encode(IptEntry e) {
        IptIp ip = e.ip();
        if (ip.flags() != 0) {
            throw new IllegalArgumentException("fragment and goto flags are not supported");
        }
        List<Expr> out = new ArrayList<>(12);
        if (ip.inIface() != null) {
            iface(out, Expr.Meta.IIFNAME, ip.inIface(), ip.inverted(IptIp.INV_VIA_IN));
        }
        if (ip.outIface() != null) {
            iface(out, Expr.Meta.OIFNAME, ip.outIface(), ip.inverted(IptIp.INV_VIA_OUT));
        }
        if (ip.proto() != 0) {
            out.add(new Expr.Meta(Expr.Meta.L4PROTO, Nft.REG_1));
            out.add(new Expr.Cmp(Nft.REG_1, op(ip.inverted(IptIp.INV_PROTO)), new Expr.Blob(new byte[] {(byte) ip.proto()})));
        } else if (ip.inverted(IptIp.INV_PROTO)) {
            throw new IllegalArgumentException("negated protocol without a protocol");
        }
        if (ip.srcMask() != 0 || ip.inverted(IptIp.INV_SRCIP)) {
            addr(out, SADDR, ip.src(), ip.srcMask(), ip.inverted(IptIp.INV_SRCIP));
        }
        if (ip.dstMask() != 0 || ip.inverted(IptIp.INV_DSTIP)) {
            addr(out, DADDR, ip.dst(), ip.dstMask(), ip.inverted(IptIp.INV_DSTIP));
        }
        for (XtMatch m : e.matches()) {
            int dport = singleDport(m);
            if (dport >= 0) {
                out.add(new Expr.Payload(Expr.Payload.TRANSPORT, 2, 2, Nft.REG_1));
                out.add(new Expr.Cmp(Nft.REG_1, Expr.Cmp.EQ, new Expr.Blob(new byte[] {(byte) (dport >> 8), (byte) dport})));
            } else if (m instanceof XtMatch.Tcp || m instanceof XtMatch.Udp) {
                throw new IllegalArgumentException("only a single --dport is supported for " + m.name());
            } else {
                out.add(new Expr.XtMatch(m.name(), m.revision(), new Expr.Blob(IptEntryCodec.matchInfo(m))));
            }
        }
        out.add(Expr.Counter.ZERO);
        XtTarget t = e.target();
        if (t instanceof XtTarget.Verdict v) {
            out.add(Expr.Verdict.of(switch (v.name()) {
                case "ACCEPT" -> Nft.NF_ACCEPT;
                case "DROP" -> Nft.NF_DROP;
                case "RETURN" -> Nft.NFT_RETURN;
                default -> throw new IllegalArgumentException("verdict " + v.name() + " is not supported");
            }));
        } else if (t instanceof XtTarget.Jump j) {
            out.add(Expr.Verdict.jump(j.chain()));
        } else {
            out.add(new Expr.XtTarget(IptEntryCodec.targetName(t), IptEntryCodec.targetRevision(t),
                    new Expr.Blob(IptEntryCodec.targetInfo(t))));
        }
        return out;
    }

    /**
     * The entry these expressions are iptables-nft's form of.
     *
     * @throws IllegalArgumentException if they are not exactly such a form (someone else's rule, or a form
     *                                  nsnet does not model)
     */
    public static IptEntry decode(List<Expr> exprs) {
        IptIp ip = IptIp.ANY;
        List<XtMatch> matches = new ArrayList<>();
        XtTarget target = null;
        int n = exprs.size();
        int i = 0;
        while (i < n) {
            Expr e = exprs.get(i);
            if (e instanceof Expr.Meta m && (m.key() == Expr.Meta.IIFNAME || m.key() == Expr.Meta.OIFNAME)) {
                Expr.Cmp c = cmpAfter(exprs, i, m.dreg());
                String name = ifaceName(c.data().bytes());
                ip = m.key() == Expr.Meta.IIFNAME ? ip.withIn(name, c.op() == Expr.Cmp.NEQ)
                        : ip.withOut(name, c.op() == Expr.Cmp.NEQ);
                i += 2;
            } else if (e instanceof Expr.Meta m && m.key() == Expr.Meta.L4PROTO) {
                Expr.Cmp c = cmpAfter(exprs, i, m.dreg());
                if (c.data().length() != 1) {
                    throw new IllegalArgumentException("l4proto compared with " + c.data().length() + " bytes");
                }
                ip = ip.withProto(Byte.toUnsignedInt(c.data().bytes()[0]), c.op() == Expr.Cmp.NEQ);
                i += 2;
            } else if (e instanceof Expr.Payload p && p.base() == Expr.Payload.NETWORK
                    && (p.offset() == SADDR || p.offset() == DADDR)) {
                int next = i + 1;
                byte[] mask = new byte[4];
                Arrays.fill(mask, 0, Math.min(p.len(), 4), (byte) 0xff);
                int reg = p.dreg();
                if (next < n && exprs.get(next) instanceof Expr.Bitwise b) {
                    if (b.sreg() != reg || b.mask().length() != 4) {
                        throw new IllegalArgumentException("bitwise not over the loaded address");
                    }
                    mask = b.mask().bytes();
                    reg = b.dreg();
                    next++;
                }
                Expr.Cmp c = cmpAfter(exprs, next - 1, reg);
                byte[] addr = Arrays.copyOf(c.data().bytes(), 4);
                int a = be32(addr);
                int mk = be32(mask);
                boolean neg = c.op() == Expr.Cmp.NEQ;
                ip = p.offset() == SADDR ? ip.withSource(a, mk, neg) : ip.withDestination(a, mk, neg);
                i = next + 1;
            } else if (e instanceof Expr.Payload p && p.base() == Expr.Payload.TRANSPORT && p.offset() == 2 && p.len() == 2) {
                Expr.Cmp c = cmpAfter(exprs, i, p.dreg());
                byte[] d = c.data().bytes();
                if (c.op() != Expr.Cmp.EQ || d.length != 2) {
                    throw new IllegalArgumentException("destination port not compared for equality");
                }
                int port = (Byte.toUnsignedInt(d[0]) << 8) | Byte.toUnsignedInt(d[1]);
                matches.add(switch (ip.proto()) {
                    case 6 -> XtMatch.Tcp.dport(port);
                    case 17 -> XtMatch.Udp.dport(port);
                    default -> throw new IllegalArgumentException("port match without tcp or udp");
                });
                i += 2;
            } else if (e instanceof Expr.XtMatch m) {
                matches.add(IptEntryCodec.decodeMatchInfo(m.name(), m.revision(), m.info().bytes()));
                i++;
            } else if (e instanceof Expr.Counter && i == n - 2) {
                target = target(exprs.get(n - 1));
                i = n;
            } else {
                throw new IllegalArgumentException("expression " + (i + 1) + " (" + e + ") is not iptables-nft's form");
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("no counter and verdict at the end");
        }
        IptEntry entry = new IptEntry(ip, matches, target);
        if (!normalized(encode(entry)).equals(normalized(exprs))) {
            throw new IllegalArgumentException("expressions differ from iptables-nft's form of " + entry);
        }
        return entry;
    }

    /** The expressions with registers and counters normalized (see {@link Expr#normalized()}). */
    public static List<Expr> normalized(List<Expr> exprs) {
        List<Expr> out = new ArrayList<>(exprs.size());
        for (Expr e : exprs) {
            out.add(e.normalized());
        }
        return out;
    }

    private static XtTarget target(Expr e) {
        if (e instanceof Expr.Verdict v) {
            return switch (v.code()) {
                case Nft.NF_ACCEPT -> XtTarget.Verdict.ACCEPT;
                case Nft.NF_DROP -> XtTarget.Verdict.DROP;
                case Nft.NFT_RETURN -> XtTarget.Verdict.RETURN;
                case Nft.NFT_JUMP -> new XtTarget.Jump(v.chain());
                default -> throw new IllegalArgumentException("verdict " + v.code() + " is not modelled");
            };
        }
        if (e instanceof Expr.XtTarget t) {
            return IptEntryCodec.decodeTargetInfo(t.name(), t.revision(), t.info().bytes());
        }
        throw new IllegalArgumentException("rule does not end in a verdict or target: " + e);
    }

    private static Expr.Cmp cmpAfter(List<Expr> exprs, int i, int reg) {
        if (i + 1 >= exprs.size() || !(exprs.get(i + 1) instanceof Expr.Cmp c) || c.sreg() != reg
                || (c.op() != Expr.Cmp.EQ && c.op() != Expr.Cmp.NEQ)) {
            throw new IllegalArgumentException("expression " + (i + 1) + " is not followed by an (in)equality");
        }
        return c;
    }

    private static void iface(List<Expr> out, int key, String name, boolean negated) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        byte[] data;
        if (name.endsWith("+")) {
            if (b.length == 1) {
                throw new IllegalArgumentException("interface '+' (any) is not supported");
            }
            data = Arrays.copyOf(b, b.length - 1);
        } else {
            data = Arrays.copyOf(b, b.length + 1);
        }
        out.add(new Expr.Meta(key, Nft.REG_1));
        out.add(new Expr.Cmp(Nft.REG_1, op(negated), new Expr.Blob(data)));
    }

    private static String ifaceName(byte[] data) {
        if (data.length == 0) {
            throw new IllegalArgumentException("empty interface name");
        }
        boolean exact = data[data.length - 1] == 0;
        int len = exact ? data.length - 1 : data.length;
        for (int k = 0; k < len; k++) {
            if (data[k] == 0) {
                throw new IllegalArgumentException("interface name with an inner NUL");
            }
        }
        String s = new String(data, 0, len, StandardCharsets.US_ASCII);
        return exact ? s : s + "+";
    }

    /** add_addr of iptables-nft: whole 0xff mask bytes shorten the load, anything else needs a bitwise. */
    private static void addr(List<Expr> out, int offset, int addr, int mask, boolean negated) {
        byte[] m = be(mask);
        byte[] a = be(addr & mask);
        int full = 0;
        while (full < 4 && m[full] == (byte) 0xff) {
            full++;
        }
        boolean bitwise = false;
        for (int k = full; k < 4; k++) {
            bitwise |= m[k] != 0;
        }
        if (bitwise) {
            out.add(new Expr.Payload(Expr.Payload.NETWORK, offset, 4, Nft.REG_1));
            out.add(new Expr.Bitwise(Nft.REG_1, Nft.REG_1, 4, new Expr.Blob(m), new Expr.Blob(new byte[4])));
            out.add(new Expr.Cmp(Nft.REG_1, op(negated), new Expr.Blob(a)));
        } else {
            out.add(new Expr.Payload(Expr.Payload.NETWORK, offset, full, Nft.REG_1));
            out.add(new Expr.Cmp(Nft.REG_1, op(negated), new Expr.Blob(Arrays.copyOf(a, full))));
        }
    }

    /** The port of a tcp/udp match that only says {@code --dport N}, or -1. */
    private static int singleDport(XtMatch m) {
        if (m instanceof XtMatch.Tcp t && t.equals(XtMatch.Tcp.dport(t.dportMin()))) {
            return t.dportMin();
        }
        if (m instanceof XtMatch.Udp u && u.equals(XtMatch.Udp.dport(u.dportMin()))) {
            return u.dportMin();
        }
        return -1;
    }

    private static int op(boolean negated) {
        return negated ? Expr.Cmp.NEQ : Expr.Cmp.EQ;
    }

    private static byte[] be(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static int be32(byte[] b) {
        return (Byte.toUnsignedInt(b[0]) << 24) | (Byte.toUnsignedInt(b[1]) << 16) | (Byte.toUnsignedInt(b[2]) << 8)
                | Byte.toUnsignedInt(b[3]);
    }
}
