package io.nsnet.nft;

/**
 * nf_tables and nfnetlink constants (include/uapi/linux/netfilter/nf_tables.h, nfnetlink.h,
 * netfilter.h). Integers inside nf_tables attributes travel in network byte order.
 */
public final class Nft {
    private Nft() {
    }

    public static final int NFNL_SUBSYS_NFTABLES = 10;
    public static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    public static final int NFNL_MSG_BATCH_END = 0x11;
    /** Attribute of BATCH_BEGIN: the ruleset generation the batch was prepared against. */
    public static final int NFNL_BATCH_GENID = 1;

    public static final int NFPROTO_UNSPEC = 0;
    public static final int NFPROTO_IPV4 = 2;

    // message types (within the subsystem)
    public static final int NEWTABLE = 0;
    public static final int GETTABLE = 1;
    public static final int DELTABLE = 2;
    public static final int NEWCHAIN = 3;
    public static final int GETCHAIN = 4;
    public static final int DELCHAIN = 5;
    public static final int NEWRULE = 6;
    public static final int GETRULE = 7;
    public static final int DELRULE = 8;
    public static final int NEWGEN = 15;
    public static final int GETGEN = 16;

    public static int type(int msg) {
        return (NFNL_SUBSYS_NFTABLES << 8) | msg;
    }

    // NFTA_TABLE_*
    public static final int TABLE_NAME = 1;
    public static final int TABLE_FLAGS = 2;

    // NFTA_CHAIN_*
    public static final int CHAIN_TABLE = 1;
    public static final int CHAIN_HANDLE = 2;
    public static final int CHAIN_NAME = 3;
    public static final int CHAIN_HOOK = 4;
    public static final int CHAIN_POLICY = 5;
    public static final int CHAIN_TYPE = 7;
    public static final int HOOK_HOOKNUM = 1;
    public static final int HOOK_PRIORITY = 2;

    // NFTA_RULE_*
    public static final int RULE_TABLE = 1;
    public static final int RULE_CHAIN = 2;
    public static final int RULE_HANDLE = 3;
    public static final int RULE_EXPRESSIONS = 4;
    public static final int RULE_COMPAT = 5;
    public static final int RULE_POSITION = 6;
    public static final int RULE_USERDATA = 7;
    public static final int RULE_ID = 9;
    public static final int RULE_POSITION_ID = 10;
    public static final int RULE_COMPAT_PROTO = 1;
    public static final int RULE_COMPAT_FLAGS = 2;

    public static final int GEN_ID = 1;

    public static final int LIST_ELEM = 1;
    public static final int EXPR_NAME = 1;
    public static final int EXPR_DATA = 2;

    public static final int DATA_VALUE = 1;
    public static final int DATA_VERDICT = 2;
    public static final int VERDICT_CODE = 1;
    public static final int VERDICT_CHAIN = 2;

    // expression attributes
    public static final int META_DREG = 1;
    public static final int META_KEY = 2;
    public static final int CMP_SREG = 1;
    public static final int CMP_OP = 2;
    public static final int CMP_DATA = 3;
    public static final int PAYLOAD_DREG = 1;
    public static final int PAYLOAD_BASE = 2;
    public static final int PAYLOAD_OFFSET = 3;
    public static final int PAYLOAD_LEN = 4;
    public static final int BITWISE_SREG = 1;
    public static final int BITWISE_DREG = 2;
    public static final int BITWISE_LEN = 3;
    public static final int BITWISE_MASK = 4;
    public static final int BITWISE_XOR = 5;
    public static final int BITWISE_OP = 6;
    public static final int COUNTER_BYTES = 1;
    public static final int COUNTER_PACKETS = 2;
    public static final int IMMEDIATE_DREG = 1;
    public static final int IMMEDIATE_DATA = 2;
    public static final int XT_NAME = 1;
    public static final int XT_REV = 2;
    public static final int XT_INFO = 3;

    public static final int REG_VERDICT = 0;
    public static final int REG_1 = 1;

    // verdicts (NF_* and NFT_*)
    public static final int NF_DROP = 0;
    public static final int NF_ACCEPT = 1;
    public static final int NFT_JUMP = -3;
    public static final int NFT_GOTO = -4;
    public static final int NFT_RETURN = -5;

    // hooks (NF_INET_*)
    public static final int HOOK_PRE_ROUTING = 0;
    public static final int HOOK_LOCAL_IN = 1;
    public static final int HOOK_FORWARD = 2;
    public static final int HOOK_LOCAL_OUT = 3;
    public static final int HOOK_POST_ROUTING = 4;
}
