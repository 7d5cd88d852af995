package io.nsnet.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.netlink.NetlinkException;
import io.nsnet.netns.NetNs;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The nf_tables handle against the kernel, in throwaway namespaces, observed with {@code nft} and
 * {@code iptables-nft-save}: batches are all or nothing, positions by handle and by batch id land where
 * asked, echoed handles are the kernel's, a stale generation applies nothing.
 */
@Tag("kernel")
class NfTablesKernelTest {
    private ThrowawayNetns namespaces;
    private NetNs ns;
    private String name;
    private NfTables nft;

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
        ns = namespaces.create("nft");
        name = ns.toString().replaceAll(".*(nst-[^ )\\]]*).*", "$1");
        nft = NfTables.open(ns);
    }

    @AfterEach
    void tearDown() {
        nft.close();
        namespaces.close();
    }

    private static List<Expr> accept(String iface) {
        return List.of(new Expr.Meta(Expr.Meta.IIFNAME, 1), new Expr.Cmp(1, Expr.Cmp.EQ, new Expr.Blob((iface + "\0").getBytes())),
                Expr.Counter.ZERO, Expr.Verdict.of(Nft.NF_ACCEPT));
    }

    private String save() {
        return Observer.run("ip", "netns", "exec", name, "iptables-nft-save").lines()
                .filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void createsTablesChainsAndRulesInOneBatchAtTheRightPlaces() {
        int gen = nft.genId();
        NftBatch b = new NftBatch(Nft.NFPROTO_IPV4).newTable("filter")
                .newBaseChain("filter", "FORWARD", new NftChain.Hook(Nft.HOOK_FORWARD, 0, "filter"), Nft.NF_DROP)
                .newChain("filter", "X");
        int a = b.newRule("filter", "FORWARD", accept("a"), NftBatch.TAIL, 0);
        b.newRule("filter", "FORWARD", accept("c"), NftBatch.TAIL, 0);
        b.newRule("filter", "FORWARD", accept("b0"), new NftBatch.BeforeId(a), 0);
        b.newRule("filter", "FORWARD", List.of(Expr.Counter.ZERO, Expr.Verdict.jump("X")), NftBatch.HEAD, 0);
        NfTables.Committed done = nft.commit(b, gen);
        assertThat(done.genId()).isEqualTo(nft.genId());
        assertThat(done.handles()).hasSize(4);
        assertThat(save()).contains(":FORWARD DROP [0:0]", ":X - [0:0]",
                "-A FORWARD -j X\n-A FORWARD -i b0 -j ACCEPT\n-A FORWARD -i a -j ACCEPT\n-A FORWARD -i c -j ACCEPT\n");

        NftSnapshot s = nft.snapshot(Nft.NFPROTO_IPV4, List.of("filter", "nat"));
        assertThat(s.tables()).containsExactly("filter");
        List<NftRule> fwd = s.rules().get("filter").get("FORWARD");
        assertThat(fwd).extracting(NftRule::handle).containsExactlyInAnyOrderElementsOf(done.handles().values());
        assertThat(IptablesNft.normalized(fwd.get(2).exprs())).isEqualTo(accept("a"));

        // Before a handle, delete by handle, policy: one more batch.
        NftBatch b2 = new NftBatch(Nft.NFPROTO_IPV4);
        b2.newRule("filter", "FORWARD", accept("mid"), new NftBatch.BeforeHandle(fwd.get(3).handle()), 0);
        b2.deleteRule("filter", "FORWARD", fwd.get(1).handle()).setPolicy("filter", "FORWARD", Nft.NF_ACCEPT);
        nft.commit(b2, s.genId());
        assertThat(save()).contains(":FORWARD ACCEPT",
                "-A FORWARD -j X\n-A FORWARD -i a -j ACCEPT\n-A FORWARD -i mid -j ACCEPT\n-A FORWARD -i c -j ACCEPT\n");
    }

    @Test
    void aStaleGenerationOrARefusedMessageAppliesNothing() {
        int gen = nft.genId();
        nft.commit(new NftBatch(Nft.NFPROTO_IPV4).newTable("filter").newChain("filter", "X"), gen);
        String before = save();
        NftBatch late = new NftBatch(Nft.NFPROTO_IPV4).newChain("filter", "Y");
        assertThatThrownBy(() -> nft.commit(late, gen)).isInstanceOf(NfTables.StaleGenerationException.class);
        NftBatch bad = new NftBatch(Nft.NFPROTO_IPV4).newChain("filter", "Z");
        bad.newRule("filter", "NOPE", accept("a"), NftBatch.TAIL, 0);
        assertThatThrownBy(() -> nft.commit(bad, nft.genId())).isInstanceOf(NetlinkException.class)
                .hasMessageContaining("add a rule to filter NOPE");
        assertThat(save()).isEqualTo(before);
    }
}
