package io.nsnet.nft;

import io.nsnet.libc.Errno;
import io.nsnet.libc.Native;
import io.nsnet.netlink.NetlinkException;
import io.nsnet.netlink.NetlinkSocket;
import io.nsnet.netlink.Nl;
import io.nsnet.netlink.NlAttrs;
import io.nsnet.netlink.NlMsg;
import io.nsnet.netlink.NlMsgBuilder;
import io.nsnet.netns.NetNs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A handle on one network namespace's nf_tables, over a NETLINK_NETFILTER socket bound to that namespace when
 * it is opened (like {@code io.nsnet.rtnl.Rtnl}); usable from any thread afterwards, one call at a time.
 *
 * <p>Reads ({@link #snapshot}) are consistent: the generation id is read before and after and the read is
 * retried if anything committed in between. Changes go as one {@link NftBatch} per {@link #commit}, optionally
 * conditional on the generation the caller planned against (NFNL_BATCH_GENID): if anyone committed since, the
 * kernel refuses the whole batch with ERESTART ({@link StaleGenerationException}) instead of applying it to a
 * ruleset the plan was not made for. That is what lets a caller keep its own copy of the ruleset and skip
 * reading it back before each change.
 */
public final class NfTables implements AutoCloseable {

    private static final int MAX_READ_ATTEMPTS = 10;
    private final NetlinkSocket socket;

    /** The batch was prepared against a generation that is no longer current; nothing was applied. */
    public static final class StaleGenerationException extends NetlinkException {
        private static final long serialVersionUID = 1L;

        StaleGenerationException(String operation, String extAck) {
            super(operation, Errno.ERESTART, extAck);
        }
    }

    /** What a successful commit produced: the generation it created and the handle of each new rule by id. */
    public record Committed(int genId, Map<Integer, Long> handles) {
    }

    private NfTables(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** A handle on the calling thread's namespace. */
    public static NfTables open() {
        return new NfTables(NetlinkSocket.open(Native.NETLINK_NETFILTER));
    }

    /** A handle on {@code ns}, its socket opened by a thread inside it. */
    public static NfTables open(NetNs ns) {
        return new NfTables(ns.call(() -> NetlinkSocket.open(Native.NETLINK_NETFILTER)));
    }

    /** The current ruleset generation (bumped by every commit in the namespace, by anyone, in any family). */
    public int genId() {
        NlMsgBuilder m = new NlMsgBuilder(Nft.type(Nft.GETGEN), 0, 32).header(nfgen(Nft.NFPROTO_UNSPEC, 0));
        for (NlMsg r : socket.request(m, "nf_tables get generation")) {
            if (r.type() == Nft.type(Nft.NEWGEN)) {
                return attrs(r).u32Be(Nft.GEN_ID).orElseThrow();
            }
        }
        throw new io.nsnet.netlink.NetlinkProtocolException("no NEWGEN reply to GETGEN");
    }

    /** The named tables of {@code family} that exist, with their chains and rules, at one generation. */
    public NftSnapshot snapshot(int family, Collection<String> tableNames) {
        for (int attempt = 1; ; attempt++) {
            int before = genId();
            List<String> tables = new ArrayList<>();
            for (NlMsg r : socket.dump(new NlMsgBuilder(Nft.type(Nft.GETTABLE), 0, 32).header(nfgen(family, 0)),
                    "nf_tables list tables")) {
                String name = attrs(r).string(Nft.TABLE_NAME).orElse("");
                if (tableNames.contains(name)) {
                    tables.add(name);
                }
            }
            Map<String, List<NftChain>> chains = new LinkedHashMap<>();
            Map<String, Map<String, List<NftRule>>> rules = new LinkedHashMap<>();
            for (String t : tables) {
                chains.put(t, new ArrayList<>());
                rules.put(t, new LinkedHashMap<>());
            }
            for (NlMsg r : socket.dump(new NlMsgBuilder(Nft.type(Nft.GETCHAIN), 0, 32).header(nfgen(family, 0)),
                    "nf_tables list chains")) {
                NftChain c = chain(attrs(r));
                if (chains.containsKey(c.table())) {
                    chains.get(c.table()).add(c);
                    rules.get(c.table()).put(c.name(), new ArrayList<>());
                }
            }
            for (String t : tables) {
                NlMsgBuilder q = new NlMsgBuilder(Nft.type(Nft.GETRULE), 0, 64).header(nfgen(family, 0))
                        .attrString(Nft.RULE_TABLE, t);
                for (NlMsg r : socket.dump(q, "nf_tables list rules of " + t)) {
                    NlAttrs a = attrs(r);
                    String chain = a.string(Nft.RULE_CHAIN).orElse("");
                    List<Expr> exprs = a.raw(Nft.RULE_EXPRESSIONS).map(ExprCodec::read).orElse(List.of());
                    NftRule rule = new NftRule(t, chain, a.u64Be(Nft.RULE_HANDLE).orElse(0L), exprs);
                    rules.get(t).computeIfAbsent(chain, k -> new ArrayList<>()).add(rule);
                }
            }
            if (genId() == before) {
                return new NftSnapshot(before, tables, chains, rules);
            }
            if (attempt == MAX_READ_ATTEMPTS) {
                throw new io.nsnet.netlink.NetlinkProtocolException(
                        "nf_tables: the ruleset changed during " + attempt + " reads in a row");
            }
        }
    }

    /**
     * Sends the batch as one transaction.
     *
     * @param expectedGen the generation the batch was planned against, or 0 to apply whatever the generation;
     *                    with a value, the new generation in the result is {@code expectedGen + 1}
     * @throws StaleGenerationException if {@code expectedGen} is no longer current (nothing applied)
     * @throws NetlinkException         for the first message the kernel refused (nothing applied)
     */
    public Committed commit(NftBatch batch, int expectedGen) {
        if (batch.isEmpty()) {
            return new Committed(expectedGen, Map.of());
        }
        List<NlMsgBuilder> all = new ArrayList<>(batch.size() + 2);
        NlMsgBuilder begin = new NlMsgBuilder(Nft.NFNL_MSG_BATCH_BEGIN, Nl.NLM_F_REQUEST, 32)
                .header(nfgen(Nft.NFPROTO_UNSPEC, Nft.NFNL_SUBSYS_NFTABLES));
        if (expectedGen != 0) {
            begin.attrU32Be(Nft.NFNL_BATCH_GENID, expectedGen);
        }
        all.add(begin);
        // Only the last change asks for an acknowledgement: the kernel reports every failing message anyway,
        // before that last answer, and thousands of acks (each an skb charged ~1 KiB to the receive buffer)
        // would overflow it when a whole layout is loaded at once.
        List<NlMsgBuilder> changes = batch.messages();
        for (int i = 0; i < changes.size(); i++) {
            NlMsgBuilder m = changes.get(i);
            int flags = m.flags() & ~Nl.NLM_F_ACK;
            m.withFlags(i == changes.size() - 1 ? flags | Nl.NLM_F_ACK : flags);
        }
        all.addAll(changes);
        all.add(new NlMsgBuilder(Nft.NFNL_MSG_BATCH_END, Nl.NLM_F_REQUEST, 32)
                .header(nfgen(Nft.NFPROTO_UNSPEC, Nft.NFNL_SUBSYS_NFTABLES)));
        List<Integer> seqs = new ArrayList<>(all.size());
        NetlinkSocket.BatchReplies replies;
        try {
            int last = all.size() - 1;
            replies = socket.batch(all, i -> i <= 0 || i == last ? "nf_tables commit"
                    : "nf_tables commit: " + batch.what(i - 1), seqs::add);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ERESTART) {
                throw new StaleGenerationException("nf_tables commit", e.extAck());
            }
            throw e;
        }
        Map<Integer, Integer> idBySeq = new HashMap<>();
        List<Integer> ids = batch.ruleIds();
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i) != 0) {
                idBySeq.put(seqs.get(i + 1), ids.get(i));
            }
        }
        Map<Integer, Long> handles = new HashMap<>();
        for (NlMsg r : replies.replies()) {
            Integer id = idBySeq.get(r.seq());
            if (id != null && r.type() == Nft.type(Nft.NEWRULE)) {
                attrs(r).u64Be(Nft.RULE_HANDLE).ifPresent(h -> handles.put(id, h));
            }
        }
        int gen = expectedGen == 0 ? 0 : (expectedGen + 1 == 0 ? 1 : expectedGen + 1);
        return new Committed(gen, handles);
    }

    private static NftChain chain(NlAttrs a) {
        NftChain.Hook hook = a.nested(Nft.CHAIN_HOOK).map(h -> new NftChain.Hook(
                h.u32Be(Nft.HOOK_HOOKNUM).orElse(-1), h.u32Be(Nft.HOOK_PRIORITY).orElse(0),
                a.string(Nft.CHAIN_TYPE).orElse("filter"))).orElse(null);
        return new NftChain(a.string(Nft.CHAIN_TABLE).orElse(""), a.string(Nft.CHAIN_NAME).orElse(""),
                a.u64Be(Nft.CHAIN_HANDLE).orElse(0L), hook, hook == null ? null : a.u32Be(Nft.CHAIN_POLICY).orElse(Nft.NF_ACCEPT));
    }

    private static NlAttrs attrs(NlMsg m) {
        ByteBuffer p = m.payload().duplicate().order(ByteOrder.nativeOrder());
        p.position(4); // struct nfgenmsg
        return NlAttrs.parse(p.slice().order(ByteOrder.nativeOrder()));
    }

    /** struct nfgenmsg: family, version NFNETLINK_V0, res_id (big-endian). */
    private static byte[] nfgen(int family, int resId) {
        return new byte[] {(byte) family, 0, (byte) (resId >> 8), (byte) resId};
    }

    @Override
    public void close() {
        socket.close();
    }
}
