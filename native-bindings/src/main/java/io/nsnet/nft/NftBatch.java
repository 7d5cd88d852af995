package io.nsnet.nft;

import io.nsnet.netlink.Nl;
import io.nsnet.netlink.NlMsgBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The changes of one nf_tables transaction, in order, for one family. Nothing reaches the kernel until
 * {@link NfTables#commit}, which sends them between BATCH_BEGIN and BATCH_END: the kernel applies all or none.
 *
 * <p>New rules get a batch-local id (NFTA_RULE_ID) so that later messages of the same batch can place a rule
 * before them (NFTA_RULE_POSITION_ID) or delete them; their kernel handles come back from the commit.
 */
public final class NftBatch {

    /** Where a new rule goes in its chain. */
    public sealed interface Position {
    }

    /** At the top of the chain ({@code iptables -I CHAIN}). */
    public record Head() implements Position {
    }

    /** At the end of the chain ({@code iptables -A}). */
    public record Tail() implements Position {
    }

    /** Right before the rule with this kernel handle. */
    public record BeforeHandle(long handle) implements Position {
    }

    /** Right before a rule added earlier in this batch. */
    public record BeforeId(int id) implements Position {
    }

    public static final Position HEAD = new Head();
    public static final Position TAIL = new Tail();

    private final int family;
    private final List<NlMsgBuilder> msgs = new ArrayList<>();
    /** For each message: the rule id it creates, or 0. */
    private final List<Integer> ruleIds = new ArrayList<>();
    /** For each message: what it does, for errors (the caller's label, else the message's own description). */
    private final List<String> whats = new ArrayList<>();
    private String label;
    private int nextId = 1;
    private int newRules;
    /**
     * New rules whose handles are asked back (NLM_F_ECHO). Each echo is a copy of the rule, and thousands of
     * them (loading 1000 networks at once) would overflow the receive buffer; past this many a caller learns
     * only that some handles are unknown ({@link NfTables.Committed#handles}) and reads the chain instead.
     */
    public static final int MAX_ECHOED = 256;

    public NftBatch(int family) {
        this.family = family;
    }

    public int family() {
        return family;
    }

    public boolean isEmpty() {
        return msgs.isEmpty();
    }

    public int size() {
        return msgs.size();
    }

    List<NlMsgBuilder> messages() {
        return msgs;
    }

    List<Integer> ruleIds() {
        return ruleIds;
    }

    /** What message {@code i} does, as an error should name it. */
    String what(int i) {
        return whats.get(i);
    }

    /**
     * Names the messages added from now on in errors, e.g. the iptables-restore line they carry out; null goes
     * back to each message's own description.
     */
    public NftBatch label(String label) {
        this.label = label;
        return this;
    }

    private NlMsgBuilder msg(int type, int flags, int ruleId, String description) {
        NlMsgBuilder b = new NlMsgBuilder(Nft.type(type), Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | flags, 256);
        b.header(new byte[] {(byte) family, 0, 0, 0});
        msgs.add(b);
        ruleIds.add(ruleId);
        whats.add(label != null ? label : description);
        return b;
    }

    public NftBatch newTable(String table) {
        msg(Nft.NEWTABLE, Nl.NLM_F_CREATE, 0, "create table " + table).attrString(Nft.TABLE_NAME, table).attrU32Be(Nft.TABLE_FLAGS, 0);
        return this;
    }

    public NftBatch deleteTable(String table) {
        msg(Nft.DELTABLE, 0, 0, "delete table " + table).attrString(Nft.TABLE_NAME, table);
        return this;
    }

    /** A user chain (no hook). */
    public NftBatch newChain(String table, String chain) {
        msg(Nft.NEWCHAIN, Nl.NLM_F_CREATE, 0, "create chain " + table + " " + chain).attrString(Nft.CHAIN_TABLE, table)
                .attrString(Nft.CHAIN_NAME, chain);
        return this;
    }

    /** A base chain attached to a hook, with its policy (NF_ACCEPT or NF_DROP). */
    public NftBatch newBaseChain(String table, String chain, NftChain.Hook hook, int policy) {
        NlMsgBuilder b = msg(Nft.NEWCHAIN, Nl.NLM_F_CREATE, 0, "create base chain " + table + " " + chain)
                .attrString(Nft.CHAIN_TABLE, table)
                .attrString(Nft.CHAIN_NAME, chain);
        b.beginNested(Nft.CHAIN_HOOK).attrU32Be(Nft.HOOK_HOOKNUM, hook.hooknum())
                .attrU32Be(Nft.HOOK_PRIORITY, hook.priority()).endNested();
        b.attrU32Be(Nft.CHAIN_POLICY, policy).attrString(Nft.CHAIN_TYPE, hook.type());
        return this;
    }

    /** Changes an existing base chain's policy. */
    public NftBatch setPolicy(String table, String chain, int policy) {
        msg(Nft.NEWCHAIN, 0, 0, "set policy of " + table + " " + chain).attrString(Nft.CHAIN_TABLE, table).attrString(Nft.CHAIN_NAME, chain)
                .attrU32Be(Nft.CHAIN_POLICY, policy);
        return this;
    }

    public NftBatch deleteChain(String table, String chain) {
        msg(Nft.DELCHAIN, 0, 0, "delete chain " + table + " " + chain).attrString(Nft.CHAIN_TABLE, table).attrString(Nft.CHAIN_NAME, chain);
        return this;
    }

    /** Deletes every rule of the chain (a DELRULE naming the chain only). */
    public NftBatch flushChain(String table, String chain) {
        msg(Nft.DELRULE, 0, 0, "flush chain " + table + " " + chain).attrString(Nft.RULE_TABLE, table)
                .attrString(Nft.RULE_CHAIN, chain);
        return this;
    }

    /**
     * Adds a rule and returns its batch-local id.
     *
     * @param compatProto the IP protocol for NFTA_RULE_COMPAT (what x_tables extensions see as the rule's
     *                    {@code -p}), or 0 for none; iptables-nft sends it for rules with a protocol
     */
    public int newRule(String table, String chain, List<Expr> exprs, Position at, int compatProto) {
        Objects.requireNonNull(at, "at");
        int id = nextId++;
        boolean echo = newRules++ < MAX_ECHOED;
        int flags = Nl.NLM_F_CREATE | (echo ? Nl.NLM_F_ECHO : 0) | (at instanceof Tail ? Nl.NLM_F_APPEND : 0);
        NlMsgBuilder b = msg(Nft.NEWRULE, flags, id, "add a rule to " + table + " " + chain).attrString(Nft.RULE_TABLE, table).attrString(Nft.RULE_CHAIN, chain);
        if (at instanceof BeforeHandle h) {
            b.attrU64Be(Nft.RULE_POSITION, h.handle());
        } else if (at instanceof BeforeId i) {
            b.attrU32Be(Nft.RULE_POSITION_ID, i.id());
        }
        ExprCodec.write(b, exprs);
        if (compatProto != 0) {
            b.beginNested(Nft.RULE_COMPAT).attrU32Be(Nft.RULE_COMPAT_PROTO, compatProto)
                    .attrU32Be(Nft.RULE_COMPAT_FLAGS, 0).endNested();
        }
        b.attrU32Be(Nft.RULE_ID, id);
        return id;
    }

    public NftBatch deleteRule(String table, String chain, long handle) {
        msg(Nft.DELRULE, 0, 0, "delete rule " + handle + " of " + table + " " + chain).attrString(Nft.RULE_TABLE, table)
                .attrString(Nft.RULE_CHAIN, chain).attrU64Be(Nft.RULE_HANDLE, handle);
        return this;
    }

    /** Deletes a rule added earlier in this batch. */
    public NftBatch deleteNewRule(String table, String chain, int id) {
        msg(Nft.DELRULE, 0, 0, "delete a rule added to " + table + " " + chain).attrString(Nft.RULE_TABLE, table)
                .attrString(Nft.RULE_CHAIN, chain).attrU32Be(Nft.RULE_ID, id);
        return this;
    }
}
