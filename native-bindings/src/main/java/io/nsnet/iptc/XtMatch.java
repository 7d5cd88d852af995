package io.nsnet.iptc;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The match extensions nsnet's layout uses, each at the revision iptables 1.8.9 writes on a current kernel
 * (it picks the highest revision the kernel knows), plus {@link Unknown} to carry anything else verbatim.
 */
public sealed interface XtMatch {

    /** The extension name in {@code xt_entry_match.u.user.name}. */
    String name();

    int revision();

    /** {@code -m tcp}, revision 0, {@code struct xt_tcp} (12 bytes). Ports are inclusive ranges. */
    record Tcp(int sportMin, int sportMax, int dportMin, int dportMax, int option, int flagMask, int flagCmp,
            int invflags) implements XtMatch {
        /** {@code -m tcp --dport N}: iptables sets the unused source range to 0-65535. */
        public static Tcp dport(int port) {
            return new Tcp(0, 0xFFFF, port, port, 0, 0, 0, 0);
        }

        public String name() {
            return "tcp";
        }

        public int revision() {
            return 0;
        }
    }

    /** {@code -m udp}, revision 0, {@code struct xt_udp} (10 bytes with padding). */
    record Udp(int sportMin, int sportMax, int dportMin, int dportMax, int invflags) implements XtMatch {
        public static Udp dport(int port) {
            return new Udp(0, 0xFFFF, port, port, 0);
        }

        public String name() {
            return "udp";
        }

        public int revision() {
            return 0;
        }
    }

    /**
     * {@code -m conntrack}, revision 3, {@code struct xt_conntrack_mtinfo3} (164 bytes). Only the state part is
     * modelled: {@code --ctstate} sets {@code XT_CONNTRACK_STATE} in match_flags and the state bits; every
     * other field of the struct is zero. An entry with other conntrack options decodes as {@link Unknown}.
     */
    record Conntrack(int stateMask, boolean invert) implements XtMatch {
        public static final int INVALID = 1;
        public static final int ESTABLISHED = 1 << 1;
        public static final int RELATED = 1 << 2;
        public static final int NEW = 1 << 3;
        public static final int SNAT = 1 << 6;
        public static final int DNAT = 1 << 7;
        public static final int UNTRACKED = 1 << 8;

        public String name() {
            return "conntrack";
        }

        public int revision() {
            return 3;
        }
    }

    /**
     * {@code -m addrtype}, revision 1, {@code struct xt_addrtype_info_v1}: u16 source and dest type masks
     * (bit n = RTN type n, e.g. LOCAL = 1 << 2) and u32 flags (invert and limit-iface bits).
     */
    record Addrtype(int source, int dest, int flags) implements XtMatch {
        public static final int UNICAST = 1 << 1;
        public static final int LOCAL = 1 << 2;
        public static final int INVERT_SOURCE = 1;
        public static final int INVERT_DEST = 2;

        public String name() {
            return "addrtype";
        }

        public int revision() {
            return 1;
        }
    }

    /** {@code -m comment}, revision 0, {@code struct xt_comment_info}: a NUL-terminated 256-byte string. */
    record Comment(String text) implements XtMatch {
        public static final int MAX = 256;

        public Comment {
            Objects.requireNonNull(text, "text");
            if (text.getBytes(StandardCharsets.UTF_8).length >= MAX || text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("comment longer than 255 bytes or with NUL");
            }
        }

        public String name() {
            return "comment";
        }

        public int revision() {
            return 0;
        }
    }

    /** Any other match (or a known one with options nsnet does not model), kept as hex so it round-trips; the hex is the whole data area, alignment padding included. */
    record Unknown(String name, int revision, String dataHex) implements XtMatch {
        public Unknown {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dataHex, "dataHex");
        }

        public byte[] data() {
            return HexFormat.of().parseHex(dataHex);
        }
    }
}
