package io.nsnet.nft;

import io.nsnet.netlink.NetlinkProtocolException;
import io.nsnet.netlink.NlAttrs;
import io.nsnet.netlink.NlMsgBuilder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * nf_tables expressions to and from netlink attributes: the body of NFTA_RULE_EXPRESSIONS, one NFTA_LIST_ELEM
 * per expression holding its name and its NFTA_EXPR_DATA. Attributes are written in libnftnl's order, integers
 * big-endian.
 */
public final class ExprCodec {
    private ExprCodec() {
    }

    /** Writes NFTA_RULE_EXPRESSIONS with every expression. */
    public static void write(NlMsgBuilder b, List<Expr> exprs) {
        b.beginNested(Nft.RULE_EXPRESSIONS);
        for (Expr e : exprs) {
            b.beginNested(Nft.LIST_ELEM);
            b.attrString(Nft.EXPR_NAME, name(e));
            b.beginNested(Nft.EXPR_DATA);
            data(b, e);
            b.endNested();
            b.endNested();
        }
        b.endNested();
    }

    static String name(Expr e) {
        if (e instanceof Expr.Meta) {
            return "meta";
        } else if (e instanceof Expr.Cmp) {
            return "cmp";
        } else if (e instanceof Expr.Payload) {
            return "payload";
        } else if (e instanceof Expr.Bitwise) {
            return "bitwise";
        } else if (e instanceof Expr.Counter) {
            return "counter";
        } else if (e instanceof Expr.Verdict) {
            return "immediate";
        } else if (e instanceof Expr.XtMatch) {
            return "match";
        } else if (e instanceof Expr.XtTarget) {
            return "target";
        }
        return ((Expr.Other) e).name();
    }

    private static void data(NlMsgBuilder b, Expr e) {
        if (e instanceof Expr.Meta m) {
            b.attrU32Be(Nft.META_KEY, m.key()).attrU32Be(Nft.META_DREG, m.dreg());
        } else if (e instanceof Expr.Cmp c) {
            b.attrU32Be(Nft.CMP_SREG, c.sreg()).attrU32Be(Nft.CMP_OP, c.op());
            value(b, Nft.CMP_DATA, c.data());
        } else if (e instanceof Expr.Payload p) {
            b.attrU32Be(Nft.PAYLOAD_DREG, p.dreg()).attrU32Be(Nft.PAYLOAD_BASE, p.base())
                    .attrU32Be(Nft.PAYLOAD_OFFSET, p.offset()).attrU32Be(Nft.PAYLOAD_LEN, p.len());
        } else if (e instanceof Expr.Bitwise w) {
            b.attrU32Be(Nft.BITWISE_SREG, w.sreg()).attrU32Be(Nft.BITWISE_DREG, w.dreg())
                    .attrU32Be(Nft.BITWISE_LEN, w.len());
            value(b, Nft.BITWISE_MASK, w.mask());
            value(b, Nft.BITWISE_XOR, w.xor());
        } else if (e instanceof Expr.Counter c) {
            b.attrU64Be(Nft.COUNTER_BYTES, c.bytes()).attrU64Be(Nft.COUNTER_PACKETS, c.packets());
        } else if (e instanceof Expr.Verdict v) {
            b.attrU32Be(Nft.IMMEDIATE_DREG, Nft.REG_VERDICT);
            b.beginNested(Nft.IMMEDIATE_DATA).beginNested(Nft.DATA_VERDICT);
            b.attrU32Be(Nft.VERDICT_CODE, v.code());
            if (v.chain() != null) {
                b.attrString(Nft.VERDICT_CHAIN, v.chain());
            }
            b.endNested().endNested();
        } else if (e instanceof Expr.XtMatch m) {
            b.attrString(Nft.XT_NAME, m.name()).attrU32Be(Nft.XT_REV, m.revision()).attr(Nft.XT_INFO, m.info().bytes());
        } else if (e instanceof Expr.XtTarget t) {
            b.attrString(Nft.XT_NAME, t.name()).attrU32Be(Nft.XT_REV, t.revision()).attr(Nft.XT_INFO, t.info().bytes());
        } else {
            throw new IllegalArgumentException("cannot write expression " + e);
        }
    }

    private static void value(NlMsgBuilder b, int type, Expr.Blob v) {
        b.beginNested(type).attr(Nft.DATA_VALUE, v.bytes()).endNested();
    }

    /** Reads the body of an NFTA_RULE_EXPRESSIONS attribute. */
    public static List<Expr> read(ByteBuffer expressions) {
        List<Expr> out = new ArrayList<>();
        for (ByteBuffer elem : NlAttrs.list(expressions, Nft.LIST_ELEM)) {
            NlAttrs a = NlAttrs.parse(elem);
            String name = a.string(Nft.EXPR_NAME).orElseThrow(() -> new NetlinkProtocolException("expression without a name"));
            ByteBuffer raw = a.raw(Nft.EXPR_DATA).orElse(ByteBuffer.allocate(0));
            out.add(decode(name, raw));
        }
        return out;
    }

    private static Expr decode(String name, ByteBuffer raw) {
        NlAttrs d = NlAttrs.parse(raw);
        try {
            switch (name) {
                case "meta":
                    if (d.has(Nft.META_DREG)) {
                        return new Expr.Meta(u32(d, Nft.META_KEY), u32(d, Nft.META_DREG));
                    }
                    break;
                case "cmp":
                    return new Expr.Cmp(u32(d, Nft.CMP_SREG), u32(d, Nft.CMP_OP), value(d, Nft.CMP_DATA));
                case "payload":
                    if (d.has(Nft.PAYLOAD_DREG)) {
                        return new Expr.Payload(u32(d, Nft.PAYLOAD_BASE), u32(d, Nft.PAYLOAD_OFFSET),
                                u32(d, Nft.PAYLOAD_LEN), u32(d, Nft.PAYLOAD_DREG));
                    }
                    break;
                case "bitwise":
                    if (d.u32Be(Nft.BITWISE_OP).orElse(0) == 0 && d.has(Nft.BITWISE_MASK)) {
                        return new Expr.Bitwise(u32(d, Nft.BITWISE_SREG), u32(d, Nft.BITWISE_DREG),
                                u32(d, Nft.BITWISE_LEN), value(d, Nft.BITWISE_MASK), value(d, Nft.BITWISE_XOR));
                    }
                    break;
                case "counter":
                    return new Expr.Counter(d.u64Be(Nft.COUNTER_PACKETS).orElse(0L), d.u64Be(Nft.COUNTER_BYTES).orElse(0L));
                case "immediate":
                    if (u32(d, Nft.IMMEDIATE_DREG) == Nft.REG_VERDICT) {
                        NlAttrs v = d.nested(Nft.IMMEDIATE_DATA).flatMap(x -> x.nested(Nft.DATA_VERDICT))
                                .orElseThrow(() -> new IllegalArgumentException("immediate without verdict"));
                        return new Expr.Verdict(u32(v, Nft.VERDICT_CODE), v.string(Nft.VERDICT_CHAIN).orElse(null));
                    }
                    break;
                case "match":
                    return new Expr.XtMatch(d.string(Nft.XT_NAME).orElseThrow(), u32(d, Nft.XT_REV),
                            new Expr.Blob(d.bytes(Nft.XT_INFO).orElse(new byte[0])));
                case "target":
                    return new Expr.XtTarget(d.string(Nft.XT_NAME).orElseThrow(), u32(d, Nft.XT_REV),
                            new Expr.Blob(d.bytes(Nft.XT_INFO).orElse(new byte[0])));
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // A shape this reader does not model (e.g. a missing attribute): kept as Other below.
        }
        byte[] bytes = new byte[raw.remaining()];
        raw.duplicate().get(bytes);
        return new Expr.Other(name, new Expr.Blob(bytes));
    }

    private static int u32(NlAttrs a, int type) {
        return a.u32Be(type).orElseThrow(() -> new IllegalArgumentException("missing attribute " + type));
    }

    private static Expr.Blob value(NlAttrs a, int type) {
        return new Expr.Blob(a.nested(type).flatMap(v -> v.bytes(Nft.DATA_VALUE))
                .orElseThrow(() -> new IllegalArgumentException("missing data " + type)));
    }
}
