package io.nsnet.iptc;

/**
 * Offsets and sizes of the x_tables structures on x86_64 (LP64), from
 * {@code include/uapi/linux/netfilter_ipv4/ip_tables.h} and {@code netfilter/x_tables.h}. Encoded by hand with
 * explicit offsets rather than jnr {@code Struct}, whose sizes lack C's trailing padding.
 */
final class XtLayout {
    private XtLayout() {
    }

    /** XT_ALIGN: every match and target, and the entry header, is padded to 8 bytes (u64 alignment). */
    static int align(int size) {
        return (size + 7) & ~7;
    }

    static final int IFNAMSIZ = 16;

    // struct ipt_ip (84 bytes) at the start of struct ipt_entry
    static final int IP_SRC = 0;
    static final int IP_DST = 4;
    static final int IP_SMSK = 8;
    static final int IP_DMSK = 12;
    static final int IP_INIFACE = 16;
    static final int IP_OUTIFACE = 32;
    static final int IP_INIFACE_MASK = 48;
    static final int IP_OUTIFACE_MASK = 64;
    static final int IP_PROTO = 80;
    static final int IP_FLAGS = 82;
    static final int IP_INVFLAGS = 83;

    // struct ipt_entry
    static final int ENTRY_NFCACHE = 84;
    static final int ENTRY_TARGET_OFFSET = 88;
    static final int ENTRY_NEXT_OFFSET = 90;
    static final int ENTRY_COMEFROM = 92;
    static final int ENTRY_COUNTERS = 96;
    /** sizeof(struct ipt_entry), already 8-aligned. */
    static final int ENTRY_SIZE = 112;

    // struct xt_entry_match / xt_entry_target: u16 size, char name[29], u8 revision, then data
    static final int XT_SIZE = 0;
    static final int XT_NAME = 2;
    static final int XT_NAME_LEN = 29;
    static final int XT_REVISION = 31;
    static final int XT_HEADER = 32;

    /** struct xt_standard_target: header + int verdict = 36, aligned 40. */
    static final int STANDARD_TARGET_SIZE = align(XT_HEADER + 4);

    // ipt_ip.invflags
    static final int IPT_INV_VIA_IN = 0x01;
    static final int IPT_INV_VIA_OUT = 0x02;
    static final int IPT_INV_SRCIP = 0x08;
    static final int IPT_INV_DSTIP = 0x10;
    static final int IPT_INV_PROTO = 0x40;

    // Standard verdicts: -NF_x - 1; XT_RETURN = -NF_REPEAT - 1.
    static final int VERDICT_DROP = -0 - 1;
    static final int VERDICT_ACCEPT = -1 - 1;
    static final int VERDICT_QUEUE = -3 - 1;
    static final int VERDICT_RETURN = -4 - 1;
}
