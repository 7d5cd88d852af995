package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.ForeignRule;
import io.nsnet.agent.firewall.model.Negatable;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Target;
import io.nsnet.iptc.IptEntry;
import io.nsnet.iptc.IptIp;
import io.nsnet.iptc.XtMatch;
import io.nsnet.iptc.XtTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * nsnet's rule model ↔ libiptc entries ({@link IptEntry}), for the libiptc backend.
 *
 * <p>Decoding is exact or nothing: an entry becomes a {@link RuleSpec} only if that spec maps back to the very
 * same entry, so every RuleSpec read through libiptc is one iptables-legacy-save would print with the same text
 * (the match order iptables-save prints is the entry's order, and RuleSpec renders one fixed order, so an
 * entry with its matches in another order is foreign too). Anything else becomes a {@link ForeignRule} whose
 * text is a description of the entry ({@code <libiptc …>}), not iptables-save syntax: foreign rules are never
 * re-rendered, only kept, and the libiptc backend deletes them (from nsnet's own chains) by the entry it read.
 */
public final class IptcRuleCodec {
    /** libxt_addrtype's names, bit i = RTN type i. */
    private static final List<String> ADDR_TYPES = List.of("UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST",
            "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE");
    /** libxt_conntrack prints ctstate names in this order. */
    private static final List<String> CT_NAMES = List.of("INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED",
            "SNAT", "DNAT");
    private static final int[] CT_BITS = {XtMatch.Conntrack.INVALID, XtMatch.Conntrack.NEW, XtMatch.Conntrack.RELATED,
        XtMatch.Conntrack.ESTABLISHED, XtMatch.Conntrack.UNTRACKED, XtMatch.Conntrack.SNAT, XtMatch.Conntrack.DNAT};

    static final String FOREIGN_PREFIX = "<libiptc ";

    private IptcRuleCodec() {
    }

    // ------------------------------------------------------------------ RuleSpec -> entry

    /** @throws IllegalArgumentException for a rule outside what the codec (and nsnet's layout) uses */
    public static IptEntry toEntry(RuleSpec r) {
        IptIp ip = IptIp.ANY;
        if (r.source() != null) {
            Ipv4Prefix p = Ipv4Prefix.parse(r.source().value());
            ip = ip.withSource(p.address(), p.mask(), r.source().negated());
        }
        if (r.destination() != null) {
            Ipv4Prefix p = Ipv4Prefix.parse(r.destination().value());
            ip = ip.withDestination(p.address(), p.mask(), r.destination().negated());
        }
        if (r.inInterface() != null) {
            ip = ip.withIn(r.inInterface().value(), r.inInterface().negated());
        }
        if (r.outInterface() != null) {
            ip = ip.withOut(r.outInterface().value(), r.outInterface().negated());
        }
        if (r.protocol() != null) {
            ip = ip.withProto(protoNumber(r.protocol()), false);
        }
        List<XtMatch> matches = new ArrayList<>(4);
        if (r.dport() != null) {
            matches.add("tcp".equals(r.protocol()) ? XtMatch.Tcp.dport(r.dport()) : XtMatch.Udp.dport(r.dport()));
        }
        if (r.srcType() != null || r.dstType() != null) {
            matches.add(new XtMatch.Addrtype(addrTypes(r.srcType()), addrTypes(r.dstType()), 0));
        }
        if (r.ctstate() != null) {
            matches.add(new XtMatch.Conntrack(ctMask(r.ctstate()), false));
        }
        if (r.comment() != null) {
            matches.add(new XtMatch.Comment(r.comment()));
        }
        return new IptEntry(ip, matches, target(r.target()));
    }

    private static XtTarget target(Target t) {
        if (t instanceof Target.Accept) {
            return XtTarget.Verdict.ACCEPT;
        }
        if (t instanceof Target.Drop) {
            return XtTarget.Verdict.DROP;
        }
        if (t instanceof Target.Return) {
            return XtTarget.Verdict.RETURN;
        }
        if (t instanceof Target.Masquerade) {
            return XtTarget.Masquerade.PLAIN;
        }
        if (t instanceof Target.Jump j) {
            return new XtTarget.Jump(j.chain());
        }
        return dnat(((Target.Dnat) t).toDestination());
    }

    /** {@code IP[-IP][:PORT[-PORT]]}, the --to-destination forms libxt_DNAT prints. */
    private static XtTarget.Dnat dnat(String to) {
        int colon = to.indexOf(':');
        String ips = colon < 0 ? to : to.substring(0, colon);
        int dash = ips.indexOf('-');
        int minIp = Ipv4Prefix.parseAddress(dash < 0 ? ips : ips.substring(0, dash), to);
        int maxIp = dash < 0 ? minIp : Ipv4Prefix.parseAddress(ips.substring(dash + 1), to);
        if (colon < 0) {
            return new XtTarget.Dnat(XtTarget.Dnat.MAP_IPS, minIp, maxIp, 0, 0);
        }
        String ports = to.substring(colon + 1);
        int pdash = ports.indexOf('-');
        int minPort = port(pdash < 0 ? ports : ports.substring(0, pdash), to);
        int maxPort = pdash < 0 ? minPort : port(ports.substring(pdash + 1), to);
        return new XtTarget.Dnat(XtTarget.Dnat.MAP_IPS | XtTarget.Dnat.PROTO_SPECIFIED, minIp, maxIp, minPort, maxPort);
    }

    private static int port(String text, String context) {
        int p;
        try {
            p = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DNAT destination '" + context + "' is not IP[-IP][:PORT[-PORT]]");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("DNAT port out of range in '" + context + "'");
        }
        return p;
    }

    private static int protoNumber(String p) {
        switch (p) {
            case "tcp":
                return 6;
            case "udp":
                return 17;
            case "icmp":
                return 1;
            default:
                throw new IllegalArgumentException("protocol '" + p + "' is not supported by the libiptc backend");
        }
    }

    private static String protoName(int n) {
        switch (n) {
            case 6:
                return "tcp";
            case 17:
                return "udp";
            case 1:
                return "icmp";
            default:
                return null;
        }
    }

    private static int addrTypes(String names) {
        if (names == null) {
            return 0;
        }
        int mask = 0;
        for (String n : names.split(",")) {
            int i = ADDR_TYPES.indexOf(n);
            if (i < 0) {
                throw new IllegalArgumentException("unknown address type '" + n + "'");
            }
            mask |= 1 << i;
        }
        return mask;
    }

    private static String addrTypeNames(int mask) {
        if (mask == 0) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ADDR_TYPES.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                b.append(b.length() == 0 ? "" : ",").append(ADDR_TYPES.get(i));
            }
        }
        return b.toString();
    }

    private static int ctMask(String names) {
        int mask = 0;
        for (String n : names.split(",")) {
            int i = CT_NAMES.indexOf(n);
            if (i < 0) {
                throw new IllegalArgumentException("unknown conntrack state '" + n + "'");
            }
            mask |= CT_BITS[i];
        }
        return mask;
    }

    private static String ctNames(int mask) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < CT_NAMES.size(); i++) {
            if ((mask & CT_BITS[i]) != 0) {
                b.append(b.length() == 0 ? "" : ",").append(CT_NAMES.get(i));
            }
        }
        return b.length() == 0 ? null : b.toString();
    }

    // ------------------------------------------------------------------ entry -> Rule

    /** The rule as nsnet's model holds it: a RuleSpec when exact (see class comment), else a ForeignRule. */
    public static Rule toRule(IptEntry e) {
        RuleSpec spec;
        try {
            spec = toSpec(e);
        } catch (IllegalArgumentException ex) {
            spec = null;
        }
        if (spec != null) {
            try {
                if (toEntry(spec).equals(e)) {
                    return spec;
                }
            } catch (IllegalArgumentException ex) {
                // falls through to foreign
            }
        }
        return new ForeignRule(FOREIGN_PREFIX + e + ">");
    }

    private static RuleSpec toSpec(IptEntry e) {
        IptIp ip = e.ip();
        if (ip.flags() != 0 || ip.inverted(IptIp.INV_PROTO)
                || (ip.invflags() & ~(IptIp.INV_SRCIP | IptIp.INV_DSTIP | IptIp.INV_VIA_IN | IptIp.INV_VIA_OUT)) != 0) {
            return null;
        }
        String proto = null;
        if (ip.proto() != 0) {
            proto = protoName(ip.proto());
            if (proto == null) {
                return null;
            }
        }
        Integer dport = null;
        String srcType = null;
        String dstType = null;
        String ctstate = null;
        String comment = null;
        int stage = 0; // matches must come in RuleSpec's render order: port, addrtype, conntrack, comment
        for (XtMatch m : e.matches()) {
            if ((m instanceof XtMatch.Tcp t) && stage < 1 && "tcp".equals(proto) && t.equals(XtMatch.Tcp.dport(t.dportMin()))) {
                dport = t.dportMin();
                stage = 1;
            } else if ((m instanceof XtMatch.Udp u) && stage < 1 && "udp".equals(proto) && u.equals(XtMatch.Udp.dport(u.dportMin()))) {
                dport = u.dportMin();
                stage = 1;
            } else if ((m instanceof XtMatch.Addrtype a) && stage < 2 && a.flags() == 0 && (a.source() | a.dest()) != 0) {
                srcType = addrTypeNames(a.source());
                dstType = addrTypeNames(a.dest());
                stage = 2;
            } else if ((m instanceof XtMatch.Conntrack c) && stage < 3 && !c.invert() && c.stateMask() != 0) {
                ctstate = ctNames(c.stateMask());
                stage = 3;
            } else if ((m instanceof XtMatch.Comment c) && stage < 4 && !c.text().isEmpty()) {
                comment = c.text();
                stage = 4;
            } else {
                return null;
            }
        }
        Target target = modelTarget(e.target());
        if (target == null) {
            return null;
        }
        return new RuleSpec(address(ip.src(), ip.srcMask(), ip.inverted(IptIp.INV_SRCIP)),
                address(ip.dst(), ip.dstMask(), ip.inverted(IptIp.INV_DSTIP)),
                iface(ip.inIface(), ip.inverted(IptIp.INV_VIA_IN)), iface(ip.outIface(), ip.inverted(IptIp.INV_VIA_OUT)),
                proto, dport, srcType, dstType, ctstate, comment, target);
    }

    private static Target modelTarget(XtTarget t) {
        if (t instanceof XtTarget.Verdict v) {
            switch (v.name()) {
                case "ACCEPT":
                    return Target.ACCEPT;
                case "DROP":
                    return Target.DROP;
                case "RETURN":
                    return Target.RETURN;
                default:
                    return null;
            }
        }
        if (t instanceof XtTarget.Jump j) {
            return Target.jump(j.chain());
        }
        if (t instanceof XtTarget.Masquerade m) {
            return m.equals(XtTarget.Masquerade.PLAIN) ? Target.MASQUERADE : null;
        }
        if (t instanceof XtTarget.Dnat d) {
            // Other flags (--random, --persistent, a port offset) have no place in the model: foreign.
            StringBuilder to = new StringBuilder(Ipv4Prefix.formatAddress(d.minIp()));
            if (d.maxIp() != d.minIp()) {
                to.append('-').append(Ipv4Prefix.formatAddress(d.maxIp()));
            }
            if ((d.flags() & XtTarget.Dnat.PROTO_SPECIFIED) != 0) {
                to.append(':').append(d.minPort());
                if (d.maxPort() != d.minPort()) {
                    to.append('-').append(d.maxPort());
                }
            }
            return Target.dnat(to.toString()); // the round trip in toRule rejects any flag not rebuilt here
        }
        return null;
    }

    /** iptables-save prints an address with its prefix length, or nothing when it is 0.0.0.0/0 and not negated. */
    private static Negatable address(int addr, int mask, boolean negated) {
        if (mask == 0 && addr == 0 && !negated) {
            return null;
        }
        int len = Integer.bitCount(mask);
        if (len != Integer.numberOfLeadingZeros(~mask) && mask != -1) {
            throw new IllegalArgumentException("non-contiguous mask");
        }
        return new Negatable(new Ipv4Prefix(addr, len).toString(), negated);
    }

    private static Negatable iface(String name, boolean negated) {
        if (name == null) {
            if (negated) {
                throw new IllegalArgumentException("negated empty interface");
            }
            return null;
        }
        return new Negatable(name, negated);
    }
}
