package io.nsnet.agent.firewall.model;

import java.util.Objects;

/**
 * A rule nsnet understands field by field. Absent matches are {@code null}.
 *
 * <p>{@link #spec()} renders the fields in the canonical order iptables-save prints them (addresses,
 * interfaces, protocol, then the match modules in the order nsnet always adds them: protocol port, addrtype,
 * conntrack, comment; then the target), so a rule nsnet writes reads back as the identical string. That is
 * what lets the differ compare live and desired rules as plain strings.
 *
 * <p>A value class rather than a record only so that the rendered spec can be cached: at 1000 networks a diff
 * compares ~10 000 rules by their text several times, and re-rendering each time dominated the plan.
 */
public final class RuleSpec implements Rule {

    private final Negatable source;
    private final Negatable destination;
    private final Negatable inInterface;
    private final Negatable outInterface;
    private final String protocol;
    private final Integer dport;
    private final String srcType;
    private final String dstType;
    private final String ctstate;
    private final String comment;
    private final Target target;
    /** Rendered lazily; a benign race at worst renders twice to equal strings. */
    private String spec;

    public RuleSpec(Negatable source, Negatable destination, Negatable inInterface, Negatable outInterface,
            String protocol, Integer dport, String srcType, String dstType, String ctstate, String comment, Target target) {
        Objects.requireNonNull(target, "target");
        if (dport != null) {
            if (!"tcp".equals(protocol) && !"udp".equals(protocol)) {
                throw new IllegalArgumentException("--dport needs protocol tcp or udp, got " + protocol);
            }
            if (dport < 1 || dport > 65535) {
                throw new IllegalArgumentException("port out of range: " + dport);
            }
        }
        checkWord(protocol);
        checkWord(srcType);
        checkWord(dstType);
        checkWord(ctstate);
        if (comment != null && (comment.isEmpty() || comment.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException("invalid comment");
        }
        this.source = source;
        this.destination = destination;
        this.inInterface = inInterface;
        this.outInterface = outInterface;
        this.protocol = protocol;
        this.dport = dport;
        this.srcType = srcType;
        this.dstType = dstType;
        this.ctstate = ctstate;
        this.comment = comment;
        this.target = target;
    }

    private static void checkWord(String word) {
        if (word == null) {
            return;
        }
        boolean ok = !word.isEmpty();
        for (int i = 0; ok && i < word.length(); i++) {
            char c = word.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ",_.:/+-".indexOf(c) >= 0;
        }
        if (!ok) {
            throw new IllegalArgumentException("invalid match value '" + word + "'");
        }
    }

    public Negatable source() {
        return source;
    }

    public Negatable destination() {
        return destination;
    }

    public Negatable inInterface() {
        return inInterface;
    }

    public Negatable outInterface() {
        return outInterface;
    }

    public String protocol() {
        return protocol;
    }

    public Integer dport() {
        return dport;
    }

    public String srcType() {
        return srcType;
    }

    public String dstType() {
        return dstType;
    }

    public String ctstate() {
        return ctstate;
    }

    public String comment() {
        return comment;
    }

    public Target target() {
        return target;
    }

    /** Equal when the rendered specs are equal: exactly when iptables would consider them the same rule. */
    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof RuleSpec r && spec().equals(r.spec()));
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    /** A rule with only a target; add matches with the {@code with…} methods. */
    public static RuleSpec of(Target target) {
        return new RuleSpec(null, null, null, null, null, null, null, null, null, null, target);
    }

    public RuleSpec withSource(Negatable v) {
        return new RuleSpec(v, destination, inInterface, outInterface, protocol, dport, srcType, dstType, ctstate, comment, target);
    }

    public RuleSpec withDestination(Negatable v) {
        return new RuleSpec(source, v, inInterface, outInterface, protocol, dport, srcType, dstType, ctstate, comment, target);
    }

    public RuleSpec withIn(Negatable v) {
        return new RuleSpec(source, destination, v, outInterface, protocol, dport, srcType, dstType, ctstate, comment, target);
    }

    public RuleSpec withOut(Negatable v) {
        return new RuleSpec(source, destination, inInterface, v, protocol, dport, srcType, dstType, ctstate, comment, target);
    }

    public RuleSpec withProtocol(String p) {
        return new RuleSpec(source, destination, inInterface, outInterface, p, dport, srcType, dstType, ctstate, comment, target);
    }

    public RuleSpec withDport(String p, int port) {
        return new RuleSpec(source, destination, inInterface, outInterface, p, port, srcType, dstType, ctstate, comment, target);
    }

    public RuleSpec withSrcType(String t) {
        return new RuleSpec(source, destination, inInterface, outInterface, protocol, dport, t, dstType, ctstate, comment, target);
    }

    public RuleSpec withDstType(String t) {
        return new RuleSpec(source, destination, inInterface, outInterface, protocol, dport, srcType, t, ctstate, comment, target);
    }

    public RuleSpec withCtstate(String s) {
        return new RuleSpec(source, destination, inInterface, outInterface, protocol, dport, srcType, dstType, s, comment, target);
    }

    public RuleSpec withComment(String c) {
        return new RuleSpec(source, destination, inInterface, outInterface, protocol, dport, srcType, dstType, ctstate, c, target);
    }

    public RuleSpec withTarget(Target t) {
        return new RuleSpec(source, destination, inInterface, outInterface, protocol, dport, srcType, dstType, ctstate, comment, t);
    }

    @Override
    public String spec() {
        String s = spec;
        if (s == null) {
            // Interned: the same rule read from the kernel, parsed from a script and made by the generator then
            // shares one String, so the planner's many hash lookups end in an identity check instead of
            // comparing ~80 bytes (a byte loop on C1, the daemon's JIT).
            s = render().intern();
            spec = s;
        }
        return s;
    }

    private String render() {
        StringBuilder b = new StringBuilder(96);
        append(b, source, "-s");
        append(b, destination, "-d");
        append(b, inInterface, "-i");
        append(b, outInterface, "-o");
        if (protocol != null) {
            b.append("-p ").append(protocol).append(' ');
        }
        if (dport != null) {
            b.append("-m ").append(protocol).append(" --dport ").append(dport).append(' ');
        }
        if (srcType != null || dstType != null) {
            b.append("-m addrtype ");
            if (srcType != null) {
                b.append("--src-type ").append(srcType).append(' ');
            }
            if (dstType != null) {
                b.append("--dst-type ").append(dstType).append(' ');
            }
        }
        if (ctstate != null) {
            b.append("-m conntrack --ctstate ").append(ctstate).append(' ');
        }
        if (comment != null) {
            b.append("-m comment --comment ").append(quote(comment)).append(' ');
        }
        b.append(target.render());
        return b.toString();
    }

    private static void append(StringBuilder b, Negatable n, String flag) {
        if (n != null) {
            b.append(n.render(flag)).append(' ');
        }
    }

    /** Quotes like libxtables' xtables_save_string, so comments render as iptables-save prints them. */
    static String quote(String value) {
        boolean plain = !value.isEmpty();
        for (int i = 0; plain && i < value.length(); i++) {
            char c = value.charAt(i);
            plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }
        if (plain) {
            return value;
        }
        StringBuilder b = new StringBuilder(value.length() + 2).append('"');
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\' || c == '\'') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append('"').toString();
    }

    @Override
    public String toString() {
        return spec();
    }
}
