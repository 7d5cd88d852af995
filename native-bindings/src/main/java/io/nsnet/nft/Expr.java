package io.nsnet.nft;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One nf_tables expression, as the kernel stores it in a rule: the closed set iptables-nft writes for the
 * rules nsnet deals with, plus {@link Other} for anything else (kept, never interpreted). Registers are kept as
 * read; {@link #normalized()} maps them (and counter values) away so that two rules can be compared by meaning
 * of their bytes rather than by which register a tool happened to pick.
 */
public sealed interface Expr {

    /** The same expression with registers set to NFT_REG_1 and counters to zero. */
    default Expr normalized() {
        return this;
    }

    /** Immutable bytes with value equality, for data carried by expressions. */
    record Blob(byte[] bytes) {
        public Blob {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        public int length() {
            return bytes.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Blob b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return HexFormat.of().formatHex(bytes);
        }
    }

    /** {@code meta load KEY => reg}. Keys: NFT_META_IIFNAME 6, OIFNAME 7, L4PROTO 16. */
    record Meta(int key, int dreg) implements Expr {
        public static final int IIFNAME = 6;
        public static final int OIFNAME = 7;
        public static final int L4PROTO = 16;

        @Override
        public Expr normalized() {
            return new Meta(key, Nft.REG_1);
        }
    }

    /** {@code cmp OP reg DATA}; ops NFT_CMP_EQ 0, NEQ 1. */
    record Cmp(int sreg, int op, Blob data) implements Expr {
        public static final int EQ = 0;
        public static final int NEQ = 1;

        public Cmp {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public Expr normalized() {
            return new Cmp(Nft.REG_1, op, data);
        }
    }

    /** {@code payload load LEN b @ BASE header + OFFSET => reg}; bases LL 0, NETWORK 1, TRANSPORT 2. */
    record Payload(int base, int offset, int len, int dreg) implements Expr {
        public static final int NETWORK = 1;
        public static final int TRANSPORT = 2;

        @Override
        public Expr normalized() {
            return new Payload(base, offset, len, Nft.REG_1);
        }
    }

    /** {@code bitwise reg = (reg & MASK) ^ XOR} (the boolean operation, NFT_BITWISE_BOOL). */
    record Bitwise(int sreg, int dreg, int len, Blob mask, Blob xor) implements Expr {
        @Override
        public Expr normalized() {
            return new Bitwise(Nft.REG_1, Nft.REG_1, len, mask, xor);
        }
    }

    /** {@code counter}; iptables-nft puts one in every rule, right before the verdict or target. */
    record Counter(long packets, long bytes) implements Expr {
        public static final Counter ZERO = new Counter(0, 0);

        @Override
        public Expr normalized() {
            return ZERO;
        }
    }

    /** {@code immediate reg 0 VERDICT [chain]}: accept, drop, return, jump or goto. */
    record Verdict(int code, String chain) implements Expr {
        public Verdict {
            if ((code == Nft.NFT_JUMP || code == Nft.NFT_GOTO) != (chain != null)) {
                throw new IllegalArgumentException("a jump or goto names a chain, other verdicts do not");
            }
        }

        public static Verdict of(int code) {
            return new Verdict(code, null);
        }

        public static Verdict jump(String chain) {
            return new Verdict(Nft.NFT_JUMP, Objects.requireNonNull(chain, "chain"));
        }
    }

    /** An x_tables match run by the kernel's compat layer: {@code match name NAME rev REV} and its info blob. */
    record XtMatch(String name, int revision, Blob info) implements Expr {
    }

    /** An x_tables target run by the compat layer: {@code target name NAME rev REV} and its info blob. */
    record XtTarget(String name, int revision, Blob info) implements Expr {
    }

    /** Any other expression, by name, with its attributes as read. */
    record Other(String name, Blob data) implements Expr {
    }
}
