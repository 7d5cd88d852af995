package io.nsnet.iptc;

import java.util.HexFormat;
import java.util.Objects;

/** What a rule does: the targets nsnet's layout uses, plus {@link Unknown} to carry anything else verbatim. */
public sealed interface XtTarget {

    /**
     * ACCEPT, DROP, QUEUE or RETURN: the standard target with a negative verdict ({@code -NF_ACCEPT - 1} …;
     * RETURN is {@code -NF_REPEAT - 1}). libiptc turns the name into the verdict when the rule is added.
     */
    record Verdict(String name) implements XtTarget {
        public static final Verdict ACCEPT = new Verdict("ACCEPT");
        public static final Verdict DROP = new Verdict("DROP");
        public static final Verdict RETURN = new Verdict("RETURN");

        public Verdict {
            verdict(name);
        }

        static int verdict(String name) {
            switch (name) {
                case "ACCEPT":
                    return XtLayout.VERDICT_ACCEPT;
                case "DROP":
                    return XtLayout.VERDICT_DROP;
                case "QUEUE":
                    return XtLayout.VERDICT_QUEUE;
                case "RETURN":
                    return XtLayout.VERDICT_RETURN;
                default:
                    throw new IllegalArgumentException("not a standard verdict: " + name);
            }
        }

        public int verdict() {
            return verdict(name);
        }
    }

    /**
     * A jump to a user chain: the standard target with the chain's name. In the kernel the verdict is the
     * chain's byte offset; libiptc resolves the name when the rule is added and back when it is read.
     */
    record Jump(String chain) implements XtTarget {
        public Jump {
            Objects.requireNonNull(chain, "chain");
            if (chain.isEmpty() || chain.length() > 28) {
                throw new IllegalArgumentException("invalid chain name '" + chain + "'");
            }
        }
    }

    /**
     * {@code -j MASQUERADE}, revision 0, {@code struct nf_nat_ipv4_multi_range_compat} with rangesize 1
     * (the IPv4 MASQUERADE of iptables 1.8.9). {@code flags} are NF_NAT_RANGE_* (e.g. PROTO_SPECIFIED with
     * {@code --to-ports}); ports are host order.
     */
    record Masquerade(int flags, int minPort, int maxPort) implements XtTarget {
        public static final Masquerade PLAIN = new Masquerade(0, 0, 0);
    }

    /**
     * {@code -j DNAT --to-destination IP[-IP][:PORT[-PORT]]}, at {@link #REVISION} (see {@link IptEntryCodec}
     * for the struct). {@code flags} are NF_NAT_RANGE_MAP_IPS (1) and NF_NAT_RANGE_PROTO_SPECIFIED (2).
     */
    record Dnat(int flags, int minIp, int maxIp, int minPort, int maxPort) implements XtTarget {
        public static final int MAP_IPS = 1;
        public static final int PROTO_SPECIFIED = 2;

        public static Dnat to(int ip, int port) {
            return port == 0 ? new Dnat(MAP_IPS, ip, ip, 0, 0) : new Dnat(MAP_IPS | PROTO_SPECIFIED, ip, ip, port, port);
        }
    }

    /** Any other target (or a known one with unmodelled data), kept as hex so it round-trips; the hex is the whole data area, alignment padding included. */
    record Unknown(String name, int revision, String dataHex) implements XtTarget {
        public Unknown {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dataHex, "dataHex");
        }

        public byte[] data() {
            return HexFormat.of().parseHex(dataHex);
        }
    }
}
